/**
 * `channelPayments` in a browser: there is no home folder to open, so it
 * fails with a typed error saying what to pass instead.
 */
import { NodeOnlyError } from '../jobs/errors.js'
import type { ChannelPayments, ChannelPaymentsOptions } from './channel-payments.js'

export type { ChannelPayments, ChannelPaymentsErrorType, ChannelPaymentsOptions } from './channel-payments.js'

/** @throws {NodeOnlyError} always */
export async function channelPayments(_options: ChannelPaymentsOptions = {}): Promise<ChannelPayments> {
  throw new NodeOnlyError('payments from a home folder need Node', {
    details:
      'In a browser, pass `payments` to createLightPeer: clientPayments() from @cocoon-mesh/settlement over a VoucherStore on an IndexedDB datastore.',
  })
}
