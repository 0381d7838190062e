/** When the provider should send a Claim on chain. All amounts nanoTON, times ms. */
export interface ClaimPolicyConfig {
  /** Claim once the unclaimed amount reaches this. */
  threshold: bigint
  /** Claim anything unclaimed (>= minClaim) this long after the last claim. */
  interval: number
  /** Never claim less than this (a claim costs gas). */
  minClaim: bigint
}

export const defaultClaimPolicy: ClaimPolicyConfig = {
  threshold: 10_000_000_000n, // 10 TON, like Cocoon's worker payouts
  interval: 3_600_000,
  minClaim: 50_000_000n, // 0.05 TON
}

export interface ClaimInput {
  /** Newest voucher amount minus what was claimed, capped at the deposit. */
  unclaimed: bigint
  /** When the channel was last claimed (or first funded), ms. */
  lastClaimAt: number
  now: number
  /** The client started its exit: claim before the delay runs out. */
  exitStarted: boolean
}

export type ClaimReason = 'threshold' | 'timer' | 'exit'

/** Pure: returns why to claim now, or undefined to wait. */
export function decideClaim(
  input: ClaimInput,
  config: ClaimPolicyConfig = defaultClaimPolicy,
): ClaimReason | undefined {
  if (input.unclaimed <= 0n) return undefined
  if (input.exitStarted) return 'exit'
  if (input.unclaimed >= config.threshold) return 'threshold'
  if (input.unclaimed >= config.minClaim && input.now - input.lastClaimAt >= config.interval) return 'timer'
  return undefined
}
