/** Event kinds of the market simulation (the `kind` of an engine event). */
export const EV_ARRIVAL = 1
export const EV_BURST_TOGGLE = 2
export const EV_PUBLISH = 3
export const EV_DELIVER = 4
export const EV_JOB_DONE = 5
export const EV_JOB_TIMEOUT = 6
export const EV_JOB_RETRY = 7
export const EV_PEER_LEAVE = 8
export const EV_PEER_JOIN = 9
export const EV_BUCKET = 10
export const EV_SPAM = 11
/** A client's dial of a provider timed out. */
export const EV_DIAL_FAILED = 12
/** The gossip mesh is rebuilt over the online peers and the spread computed again. */
export const EV_GOSSIP_REFRESH = 13

/** What a provider is. */
export const KIND_HONEST = 0
export const KIND_STALL = 1
export const KIND_OVERCLAIM = 2
export const KIND_SPAM = 3
/** A validly signed identity that cannot be dialled. */
export const KIND_SYBIL = 4
