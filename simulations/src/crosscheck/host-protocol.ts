/**
 * What the cross-check's coordinator and its peer hosts (child processes,
 * each running several real peers over TCP) say to each other over Node's
 * IPC channel. Each request carries an id; the host answers with the same id.
 */
export type HostRequest =
  | { op: 'start'; indices: number[]; heartbeatMs: number }
  | { op: 'dial'; edges: Array<[from: number, addr: string]> }
  | { op: 'subscribed' }
  | { op: 'begin' }
  | { op: 'publish'; m: number }
  | { op: 'collect'; sequence: string }
  | { op: 'lookup'; index: number; key: number[] }
  | { op: 'stop' }

/** An answer: the request's result, or the error that ended it. */
export type HostResponse =
  | { id: number; ok: true; result: HostResult }
  | { id: number; ok: false; error: string }

export type HostResult =
  | { op: 'start'; peers: Array<{ index: number; id: string; addr: string }> }
  /** How many of the dials failed, and the first failure's message. */
  | { op: 'dial'; failed: number; firstError: string | undefined }
  /** Per peer: the subscribers it sees on the topic and the size of its mesh there. */
  | { op: 'subscribed'; peers: Array<[index: number, subscribers: number, mesh: number]> }
  | { op: 'begin' }
  | { op: 'publish'; sequence: string; startedAt: number }
  /** Arrival times (epoch ms) and first-copy sources (peer ids) of an offer at this host's peers. */
  | {
      op: 'collect'
      arrivals: Array<[index: number, at: number]>
      sources: Array<[index: number, from: string]>
    }
  | { op: 'lookup'; hops: number | undefined; ms: number; queryMs: number[] }
  | { op: 'stop' }

export type HostMessage = HostRequest & { id: number }

/** The result of operation `K`, without its tag. */
export type HostResultOf<K extends HostResult['op']> = Omit<Extract<HostResult, { op: K }>, 'op'>

/** A clock every process on this machine shares: epoch ms with sub-ms resolution. */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now()
}
