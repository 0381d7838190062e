/**
 * Metrics of a provider's earnings, registered through libp2p's `Metrics`:
 * vouchers accepted and what they credited, and the claims that moved them on
 * chain. Wraps the provider's payments and observes claim outcomes, so
 * settlement stays free of metric code.
 */
import type { ClaimOutcome, ProviderPayments } from '@cocoon-mesh/settlement'
import { decorateProviderSession } from '@cocoon-mesh/settlement'
import type { Metrics } from '@libp2p/interface'

export interface SettlementMetrics {
  /** The same payments, counting every accepted voucher and the nanoTON it credited. */
  observePayments(payments: ProviderPayments): ProviderPayments
  /** Counts the outcomes of one claim pass. */
  observeClaims(outcomes: readonly ClaimOutcome[]): void
  /** Counts a claim pass that failed as a whole (its vouchers stay stored and are retried next pass). */
  observeFailedPass(): void
}

export function settlementMetrics(metrics: Metrics): SettlementMetrics {
  const vouchers = metrics.registerCounter('cocoon_vouchers_accepted_total', {
    help: 'Vouchers accepted (verified and persisted) from clients',
  })
  const credited = metrics.registerCounter('cocoon_voucher_credited_nanoton_total', {
    help: 'nanoTON the accepted vouchers credited, off chain',
  })
  const claims = metrics.registerCounterGroup('cocoon_claims_total', {
    label: 'reason',
    help: 'On-chain claims sent, by reason (threshold, timer, exit)',
  })
  const claimed = metrics.registerCounter('cocoon_claimed_nanoton_total', {
    help: 'nanoTON moved on chain by claims',
  })
  const claimFailures = metrics.registerCounter('cocoon_claim_failures_total', {
    help: 'Claims that failed (the vouchers stay stored and are retried next pass)',
  })
  return {
    observePayments: (payments) => ({
      async openSession(...args) {
        const session = await payments.openSession(...args)
        return decorateProviderSession(session, {
          async acceptVoucher(voucher) {
            const before = session.covered?.()
            await session.acceptVoucher(voucher)
            vouchers.increment()
            const after = session.covered?.()
            if (before !== undefined && after !== undefined && after > before)
              credited.increment(Number(after - before))
          },
        })
      },
    }),
    observeClaims(outcomes) {
      for (const o of outcomes) {
        if (o.error !== undefined) {
          claimFailures.increment()
          continue
        }
        claims.increment({ [o.reason ?? 'unknown']: true })
        claimed.increment(Number(o.paid ?? 0n))
      }
    },
    observeFailedPass() {
      claimFailures.increment()
    },
  }
}
