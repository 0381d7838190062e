/**
 * Prometheus metrics of a provider's earnings: vouchers accepted and what they
 * credited, and the claims that moved them on chain. Wraps the provider's
 * payments and observes claim outcomes, so settlement stays free of metric code.
 */
import type { ClaimOutcome, ProviderPayments } from '@cocoon-mesh/settlement'
import { Counter, type Registry } from 'prom-client'

export interface SettlementMetrics {
  /** The same payments, counting every accepted voucher and the nanoTON it credited. */
  observePayments(payments: ProviderPayments): ProviderPayments
  /** Counts the outcomes of one claim pass. */
  observeClaims(outcomes: readonly ClaimOutcome[]): void
}

export function settlementMetrics(registry: Registry): SettlementMetrics {
  const vouchers = new Counter({
    name: 'cocoon_vouchers_accepted_total',
    help: 'Vouchers accepted (verified and persisted) from clients',
    registers: [registry],
  })
  const credited = new Counter({
    name: 'cocoon_voucher_credited_nanoton_total',
    help: 'nanoTON the accepted vouchers credited, off chain',
    registers: [registry],
  })
  const claims = new Counter({
    name: 'cocoon_claims_total',
    help: 'On-chain claims sent, by reason (threshold, timer, exit)',
    labelNames: ['reason'],
    registers: [registry],
  })
  const claimed = new Counter({
    name: 'cocoon_claimed_nanoton_total',
    help: 'nanoTON moved on chain by claims',
    registers: [registry],
  })
  const claimFailures = new Counter({
    name: 'cocoon_claim_failures_total',
    help: 'Claims that failed (the vouchers stay stored and are retried next pass)',
    registers: [registry],
  })
  return {
    observePayments: (payments) => ({
      async openSession(...args) {
        const session = await payments.openSession(...args)
        // every member by name: a class-based session keeps its methods on the prototype
        return {
          creditWindow: session.creditWindow,
          reserve: session.reserve.bind(session),
          finish: session.finish.bind(session),
          ...(session.covered === undefined ? {} : { covered: session.covered.bind(session) }),
          async acceptVoucher(voucher) {
            const before = session.covered?.()
            await session.acceptVoucher(voucher)
            vouchers.inc()
            const after = session.covered?.()
            if (before !== undefined && after !== undefined && after > before)
              credited.inc(Number(after - before))
          },
        }
      },
    }),
    observeClaims(outcomes) {
      for (const o of outcomes) {
        if (o.error !== undefined) {
          claimFailures.inc()
          continue
        }
        claims.inc({ reason: o.reason ?? 'unknown' })
        claimed.inc(Number(o.paid ?? 0n))
      }
    },
  }
}
