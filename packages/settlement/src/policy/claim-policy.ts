/** When the provider should send a Claim on chain. All amounts nanoTON, times ms. */
export interface ClaimPolicyConfig {
  /** Claim once the unclaimed amount reaches this. */
  threshold: bigint
  /** Claim anything unclaimed (>= minClaim) this long after the last claim. */
  interval: number
  /** Never claim less than this (a claim costs gas). */
  minClaim: bigint
  /**
   * Claim (by threshold or timer) only when the unclaimed amount is at least
   * this many times the estimated fee of one claim, so fees stay a small part
   * of what is claimed when fees rise. Default 10; 0 turns the fee checks off
   * (a devnet whose test prices are below a claim's fee).
   */
  feeMultiple?: number
  /**
   * The wallet balance a claim must leave room for, at least (the claim's
   * own message value and fee always count). Default 0: just what the claim needs.
   */
  minFeeBalance?: bigint
}

export const defaultClaimPolicy: Required<ClaimPolicyConfig> = {
  threshold: 10_000_000_000n, // 10 TON, like Cocoon's worker payouts
  interval: 3_600_000,
  minClaim: 50_000_000n, // 0.05 TON
  feeMultiple: 10,
  minFeeBalance: 0n,
}

export interface ClaimInput {
  /** Newest voucher amount minus what was claimed, capped at the deposit. */
  unclaimed: bigint
  /** When the channel was last claimed (or first funded), ms. */
  lastClaimAt: number
  now: number
  /** The client started its exit: claim before the delay runs out. */
  exitStarted: boolean
  /** The estimated fee of one claim on the chain now (`estimateClaimFee`). */
  claimFee: bigint
}

export type ClaimReason = 'threshold' | 'timer' | 'exit'

/**
 * Pure: returns why to claim now, or undefined to wait. Nothing is claimed
 * that would not pay its own fee; at exit whatever pays its fee is claimed
 * (the rest would be lost), otherwise only at least `feeMultiple` fees' worth.
 */
export function decideClaim(
  input: ClaimInput,
  config: ClaimPolicyConfig = defaultClaimPolicy,
): ClaimReason | undefined {
  if (input.unclaimed <= 0n) return undefined
  const feeMultiple = config.feeMultiple ?? defaultClaimPolicy.feeMultiple
  // a claim that costs more than it brings loses money (feeMultiple 0 turns the fee checks off)
  if (feeMultiple > 0 && input.unclaimed <= input.claimFee) return undefined
  if (input.exitStarted) return 'exit'
  if (input.unclaimed < input.claimFee * BigInt(feeMultiple)) return undefined
  if (input.unclaimed >= config.threshold) return 'threshold'
  if (input.unclaimed >= config.minClaim && input.now - input.lastClaimAt >= config.interval) return 'timer'
  return undefined
}
