/** The `settlement` section of the node config: how a providing node with a chain endpoint is paid. */
import { defaultClaimPolicy } from '@cocoon-mesh/settlement'
import { bool, int, nano, positive } from './config-fields.js'

/**
 * How a providing node with a chain endpoint is paid and
 * batches its claims. nanoTON amounts, times in ms.
 */
export interface SettlementConfig {
  /** Work served ahead of a covering voucher; 0 = the price of 256 completion tokens. */
  creditWindow: bigint
  /** How long a job waits for a voucher once the window is used up. */
  voucherTimeoutMs: number
  /** Claim once a channel's unclaimed vouchers reach this. */
  claimThreshold: bigint
  /** Claim anything unclaimed (at least `claimMinimum`) this long after the last claim or voucher. */
  claimAfterMs: number
  /** Never claim less than this (a claim costs gas). */
  claimMinimum: bigint
  /** How often the claim pass checks the channels. */
  claimCheckMs: number
  /** Claim only when a channel's unclaimed amount is at least this many times the estimated claim fee. */
  claimFeeMultiple: number
  /** Claim only while the wallet keeps at least this much for fees (the claim's own need counts too). */
  minFeeBalance: bigint
  /**
   * Serve jobs that name no payment channel, for free, although the node has
   * a chain endpoint. Off: such jobs are refused with PAYMENT_REQUIRED.
   * Without a chain endpoint every job is free whatever this says.
   */
  freeJobs: boolean
}

export const DEFAULT_SETTLEMENT_CONFIG: SettlementConfig = {
  creditWindow: 0n,
  voucherTimeoutMs: 30_000,
  claimThreshold: defaultClaimPolicy.threshold,
  claimAfterMs: defaultClaimPolicy.interval,
  claimMinimum: defaultClaimPolicy.minClaim,
  claimCheckMs: 60_000,
  claimFeeMultiple: defaultClaimPolicy.feeMultiple,
  minFeeBalance: defaultClaimPolicy.minFeeBalance,
  freeJobs: false,
}

/** The section's part of the commented default config. */
export const SETTLEMENT_CONFIG_TEXT = `
  // How a providing node is paid when it has a chain endpoint (--chain-endpoint, COCOON_TON_ENDPOINT).
  // nanoTON amounts as decimal strings, times in ms.
  "settlement": {
    // Work served ahead of a covering voucher ("0": the price of 256 completion tokens).
    "creditWindow": "0",
    // How long a job waits for a voucher once the credit window is used up.
    "voucherTimeoutMs": 30000,
    // Claims are batched: claim when a channel's unclaimed vouchers reach the threshold, or
    // claimAfterMs after the last claim (at least claimMinimum), checked every claimCheckMs.
    "claimThreshold": "10000000000",
    "claimAfterMs": 3600000,
    "claimMinimum": "50000000",
    "claimCheckMs": 60000,
    // A claim costs fees (about 0.006 TON on mainnet): claim only when a channel's unclaimed amount is
    // at least claimFeeMultiple times the estimated claim fee, and only while the wallet holds
    // minFeeBalance ("0": just what the claim itself needs; a claim fails with a message naming both otherwise).
    "claimFeeMultiple": 10,
    "minFeeBalance": "0",
    // Serve jobs that name no payment channel, for free. Off by default: with a chain endpoint
    // the node refuses unpaid jobs (PAYMENT_REQUIRED). Without one every job is free anyway.
    "freeJobs": false
  },
`

type Section = Record<string, unknown>

/** The `settlement` section, each field defaulting to DEFAULT_SETTLEMENT_CONFIG's. */
export function settlementConfig(source: string, settlement: Section): SettlementConfig {
  const d = DEFAULT_SETTLEMENT_CONFIG
  return {
    creditWindow: nano(source, 'settlement.creditWindow', settlement.creditWindow, d.creditWindow),
    voucherTimeoutMs: int(
      source,
      'settlement.voucherTimeoutMs',
      settlement.voucherTimeoutMs,
      d.voucherTimeoutMs,
    ),
    claimThreshold: nano(source, 'settlement.claimThreshold', settlement.claimThreshold, d.claimThreshold),
    claimAfterMs: int(source, 'settlement.claimAfterMs', settlement.claimAfterMs, d.claimAfterMs),
    claimMinimum: nano(source, 'settlement.claimMinimum', settlement.claimMinimum, d.claimMinimum),
    claimCheckMs: positive(source, 'settlement.claimCheckMs', settlement.claimCheckMs, d.claimCheckMs),
    claimFeeMultiple: int(
      source,
      'settlement.claimFeeMultiple',
      settlement.claimFeeMultiple,
      d.claimFeeMultiple,
    ),
    minFeeBalance: nano(source, 'settlement.minFeeBalance', settlement.minFeeBalance, d.minFeeBalance),
    freeJobs: bool(source, 'settlement.freeJobs', settlement.freeJobs, d.freeJobs),
  }
}
