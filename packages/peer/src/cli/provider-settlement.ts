// what `cocoon node start --provide` needs to be paid through payment channels
import { join } from 'node:path'
import { errorLine, errorMessage, llmCost, markHandled, type Prices } from '@cocoon-mesh/protocol'
import {
  type ClaimOutcome,
  type ClaimPolicyConfig,
  chainChannelTerms,
  type NodeWallet,
  type ProviderPayments,
  providerPayments,
  runClaims,
  TonChainClient,
  type VoucherStore,
  WalletError,
  walletFromMnemonic,
} from '@cocoon-mesh/settlement'
import {
  type LoadOrCreateWalletMnemonicErrorType,
  loadOrCreateWalletMnemonic,
  openVoucherStore,
} from '@cocoon-mesh/settlement/node'
import type { ComponentLogger, Metrics } from '@libp2p/interface'
import { settlementMetrics } from '../metrics/settlement-metrics.js'
import type { ProviderLedger } from './provider-channels.js'

export interface ProviderSettlementOptions {
  home: string
  /**
   * toncenter v2 jsonRPC endpoint (`cocoon devnet`, testnet, mainnet). Without
   * one the node serves jobs for free (no payments).
   */
  endpoint?: string
  apiKey?: string
  prices: Prices
  /** nanoTON served ahead of a covering voucher; default the price of 256 completion tokens. */
  creditWindow?: bigint
  /** How long a job waits for a voucher once the window is used up, ms (default 30 000). */
  voucherTimeoutMs?: number
  /** Batched claim policy (default: settlement's `defaultClaimPolicy`). */
  claimPolicy?: ClaimPolicyConfig
  /** How often the claim pass runs, ms (default 60 000). */
  claimIntervalMs?: number
  /**
   * With a chain endpoint, serve jobs that name no channel for free (default
   * false: they are refused with PAYMENT_REQUIRED). Without one every job is free.
   */
  freeJobs?: boolean
  log?: (line: string) => void
  /**
   * The node's metrics (the `Metrics` its libp2p node registers on): accepted
   * vouchers and claims are counted there (`cocoon node start --metrics-port`).
   */
  metrics?: Metrics
  /** The node's logger: claim passes log under `cocoon:settlement:claims` on it. */
  logger?: ComponentLogger
  /** Called after each claim pass with its outcomes, or why the whole pass failed (the node's dashboard). */
  onClaimPass?: (pass: ClaimPass) => void
}

/** One claim pass as it ended: each channel's outcome, or the error that stopped the pass. */
export type ClaimPass = { at: number; outcomes: ClaimOutcome[] } | { at: number; error: string }

export interface ProviderSettlement {
  wallet: NodeWallet
  /** Undefined without a chain endpoint: the node serves for free. */
  payments: ProviderPayments | undefined
  /** The wallet, chain and voucher store earnings are read from; undefined without a chain endpoint. */
  ledger: ProviderLedger | undefined
  /** Runs one claim pass now (also what the timer runs). */
  claim(): Promise<ClaimOutcome[]>
  /** Stops the claim timer, waits for a running pass, closes the voucher store. */
  close(): Promise<void>
}

/**
 * What {@link startProviderSettlement} throws: an unreadable or invalid
 * mnemonic, the voucher store locked or unreadable (`WalletError`), or node's
 * error writing a new mnemonic.
 */
export type StartProviderSettlementErrorType = LoadOrCreateWalletMnemonicErrorType

/**
 * The provider's wallet (from `<home>/wallet.mnemonic`, created when missing),
 * and with a chain endpoint: `providerPayments()` checking channels on chain,
 * the voucher store at `<home>/settlement` (held by this process while it
 * runs), and `runClaims()` on a timer so batch claims and the "claim when the
 * client's exit starts" rule fire.
 * @throws {StartProviderSettlementErrorType}
 */
export async function startProviderSettlement(
  options: ProviderSettlementOptions,
): Promise<ProviderSettlement> {
  const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(options.home)).mnemonic)
  if (options.endpoint === undefined)
    return { wallet, payments: undefined, ledger: undefined, claim: async () => [], close: async () => {} }
  const log = options.log ?? (() => {})
  const chain = new TonChainClient({
    endpoint: options.endpoint,
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    pollInterval: options.endpoint.startsWith('http://127.0.0.1') ? 50 : 1_000,
  })
  let store: VoucherStore
  try {
    store = await openVoucherStore(join(options.home, 'settlement'))
  } catch (cause) {
    throw new WalletError('cannot open the settlement store', {
      details: `${join(options.home, 'settlement')} is locked or unreadable; is another cocoon process (node, channel, earnings) using this home? (${errorMessage(cause)})`,
      cause,
    })
  }
  const paymentsWithoutMetrics = providerPayments({
    store,
    channelTerms: chainChannelTerms(chain, wallet.address),
    creditWindow: options.creditWindow ?? llmCost(options.prices, { promptTokens: 0, completionTokens: 256 }),
    voucherTimeout: options.voucherTimeoutMs ?? 30_000,
    freeJobs: options.freeJobs ?? false,
  })
  const metrics = options.metrics === undefined ? undefined : settlementMetrics(options.metrics)
  const payments = metrics?.observePayments(paymentsWithoutMetrics) ?? paymentsWithoutMetrics
  let running: Promise<ClaimOutcome[]> | undefined
  // every pass is logged and counted here, whoever asked for it; the caller gets the outcome too
  const claim = (): Promise<ClaimOutcome[]> => {
    running ??= runClaims({
      chain,
      wallet,
      store,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.claimPolicy === undefined ? {} : { config: options.claimPolicy }),
    })
      .then(
        (outcomes) => {
          metrics?.observeClaims(outcomes)
          options.onClaimPass?.({ at: Date.now(), outcomes })
          for (const o of outcomes) {
            if (o.error !== undefined) log(`claim-failed ${o.channel} ${o.error.message}`)
            else log(`claimed ${o.channel} ${o.paid ?? 0n} reason=${o.reason ?? ''}`)
          }
          return outcomes
        },
        (error: unknown) => {
          metrics?.observeFailedPass()
          log(`claim-pass-failed ${errorLine(error)}`)
          options.onClaimPass?.({ at: Date.now(), error: errorLine(error) })
          throw error
        },
      )
      .finally(() => {
        running = undefined
      })
    return running
  }
  // the timer's passes are logged and counted in `claim`; the vouchers stay stored for the next one
  const timer = setInterval(() => markHandled(claim()), options.claimIntervalMs ?? 60_000)
  timer.unref()
  return {
    wallet,
    payments,
    ledger: { wallet, chain, store },
    claim,
    async close() {
      clearInterval(timer)
      // a pass still running finishes first (its failure is logged in `claim`)
      if (running !== undefined) await Promise.allSettled([running])
      await store.close()
    },
  }
}
