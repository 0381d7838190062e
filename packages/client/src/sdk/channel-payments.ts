/**
 * Payments from a home folder (wallet file, LevelDB voucher store, chain
 * endpoint): Node only. `#channel-payments` resolves here under Node and to
 * channel-payments-browser.ts in browsers, where an app passes `payments`
 * built on its own voucher store instead.
 */
import type { ClientPayments } from '@cocoon-mesh/settlement'
import type { OpenSettlementContextErrorType, SettlementOptions } from '@cocoon-mesh/settlement/node'
import { MissingDependencyError, type NodeOnlyError } from '../jobs/errors.js'
import { channelLookup } from './payments.js'

export interface ChannelPaymentsOptions extends SettlementOptions {
  /** Pay through this channel only; default: any open channel to the offer's payout address. */
  channel?: string
  /** The most one job may cost, nanoTON. */
  jobBudget?: bigint
}

/** Client payments from a home folder (wallet, voucher store, chain endpoint), and how to release them. */
export interface ChannelPayments {
  payments: ClientPayments
  close(): Promise<void>
}

/**
 * What {@link channelPayments} throws: no or a bad wallet, the voucher store is
 * locked or unreadable, or `datastore-level` is not installed.
 */
export type ChannelPaymentsErrorType = OpenSettlementContextErrorType | NodeOnlyError | MissingDependencyError

/**
 * The home-folder part of settlement, loaded on first use: it imports
 * `datastore-level` (LevelDB, a native addon), an optional peer dependency
 * that an app running jobs without a home folder never installs.
 */
async function settlementNode(): Promise<typeof import('@cocoon-mesh/settlement/node')> {
  try {
    return await import('@cocoon-mesh/settlement/node')
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && err.code === 'ERR_MODULE_NOT_FOUND')) throw err
    throw new MissingDependencyError('payments from a home folder need datastore-level', {
      details: 'install it next to the SDK: npm install datastore-level@^13',
      cause: err,
    })
  }
}

/**
 * Opens the client's wallet, voucher store and chain client (`--home`,
 * `COCOON_TON_ENDPOINT`, default the local devnet) and returns payments for
 * `createLightPeer({ payments })`. The voucher store is single-process:
 * close it before another cocoon command uses the same home.
 * @throws {ChannelPaymentsErrorType}
 */
export async function channelPayments(options: ChannelPaymentsOptions = {}): Promise<ChannelPayments> {
  const { openSettlementContext } = await settlementNode()
  const { clientPayments } = await import('@cocoon-mesh/settlement')
  const ctx = await openSettlementContext(options)
  const payments = clientPayments({
    store: ctx.store,
    key: ctx.wallet.signingKey,
    channelFor: channelLookup({
      store: ctx.store,
      chain: ctx.chain,
      ...(options.channel === undefined ? {} : { channel: options.channel }),
    }),
    ...(options.jobBudget === undefined ? {} : { jobBudget: options.jobBudget }),
  })
  return { payments, close: () => ctx.close() }
}
