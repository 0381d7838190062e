import { CocoonError } from '@cocoon-mesh/protocol'

/** The cross-check cannot set up its real network: what is missing and how to get it is in the message. */
export class CrossCheckSetupError extends CocoonError<'ERR_CROSS_CHECK_SETUP'> {
  readonly code = 'ERR_CROSS_CHECK_SETUP' as const
  override readonly name = 'CrossCheckSetupError'
}

/** A peer host (a child process of the cross-check) failed, stopped answering, or exited. */
export class PeerHostError extends CocoonError<'ERR_PEER_HOST'> {
  readonly code = 'ERR_PEER_HOST' as const
  override readonly name = 'PeerHostError'
}
