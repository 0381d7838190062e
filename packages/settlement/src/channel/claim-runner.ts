import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { ChainClient } from '../chain/chain-client.js'
import type { InvalidSettlementInputError } from '../errors.js'
import {
  type ClaimPolicyConfig,
  type ClaimReason,
  decideClaim,
  defaultClaimPolicy,
} from '../policy/claim-policy.js'
import type { VoucherStore } from '../store/voucher-store.js'
import type { NodeWallet } from '../wallet/wallet.js'
import { claimChannel, readChannel } from './channels.js'
import { estimateClaimFee } from './claim-fees.js'

export interface RunClaimsParameters {
  chain: ChainClient
  wallet: NodeWallet
  store: VoucherStore
  config?: ClaimPolicyConfig
  now?: () => number
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
}

export interface ClaimOutcome {
  channel: string
  reason?: ClaimReason
  paid?: bigint
  /** The claim fee estimated for the pass, nanoTON: what a claim of this pass may cost the wallet. */
  fee?: bigint
  error?: Error
}

/**
 * What {@link runClaims} throws: only a failure to list the store's channels
 * (a damaged record, or LevelDB's own error). A failing claim is an outcome.
 */
export type RunClaimsErrorType = InvalidSettlementInputError | Error

/**
 * One pass of the batched claim policy over every channel the provider holds
 * vouchers for, with the claim fee the chain estimates now (a claim must be
 * worth `feeMultiple` fees, and the wallet must pay it:
 * `InsufficientFeeBalanceError` otherwise). A failing endpoint or a wallet
 * short of fees is reported per channel and retried next pass; the stored
 * vouchers are untouched, so nothing is lost.
 * @throws {RunClaimsErrorType}
 */
export async function runClaims(p: RunClaimsParameters): Promise<ClaimOutcome[]> {
  const now = p.now ?? Date.now
  const log = (p.logger ?? defaultLogger()).forComponent('cocoon:settlement:claims')
  const outcomes: ClaimOutcome[] = []
  const config = p.config ?? defaultClaimPolicy
  // one fee estimate per pass, made once a channel has something to claim; its failure is that channel's outcome
  let fee: Promise<bigint> | undefined
  const claimFee = () => {
    fee ??= estimateClaimFee(p.chain, p.wallet)
    return fee
  }
  for (const record of await p.store.providerChannels()) {
    try {
      const view = await readChannel(p.chain, record.channel)
      if (view === undefined || view.state.closed) continue
      if (view.state.claimed > record.claimed) await p.store.recordClaimed(record.channel, view.state.claimed)
      const unclaimed = minBigint(record.newest, view.state.deposit) - view.state.claimed
      if (unclaimed <= 0n) continue
      const reason = decideClaim(
        {
          unclaimed,
          lastClaimAt: record.lastClaimAt ?? record.updatedAt,
          now: now(),
          exitStarted: view.state.exitRequestedAt > 0,
          claimFee: await claimFee(),
        },
        config,
      )
      if (reason === undefined) continue
      const { paid } = await claimChannel({
        chain: p.chain,
        wallet: p.wallet,
        store: p.store,
        channel: record.channel,
        claimFee: await claimFee(),
        ...(config.minFeeBalance === undefined ? {} : { minFeeBalance: config.minFeeBalance }),
      })
      outcomes.push({ channel: record.channel, reason, paid, fee: await claimFee() })
    } catch (error) {
      log.error('claim on %s failed, will retry: %s', record.channel, errorMessage(error))
      outcomes.push({ channel: record.channel, error: error as Error })
    }
  }
  return outcomes
}

function minBigint(a: bigint, b: bigint): bigint {
  if (a < b) return a
  return b
}
