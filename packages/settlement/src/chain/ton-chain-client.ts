import { errorMessage } from '@cocoon-mesh/protocol'
import { Address, type Cell, type ContractProvider, type StateInit, type Transaction } from '@ton/core'
import { TonClient } from '@ton/ton'
import { ChainError, type ChainTimeoutError } from '../errors.js'
import { type AccountStatus, type ChainClient, pollUntil } from './chain-client.js'

export interface TonChainClientInit {
  /** toncenter v2 jsonRPC endpoint, e.g. https://testnet.toncenter.com/api/v2/jsonRPC or the devnet's. */
  endpoint: string
  apiKey?: string
  /** ms to wait for a message to land. Default 60 000. */
  timeout?: number
  /** ms between polls. Default 1 000 (devnet: 50). */
  pollInterval?: number
}

const ZERO_ADDRESS = new Address(0, Buffer.alloc(32))

/**
 * What a {@link TonChainClient} call throws: the endpoint failed (`ChainError`)
 * or `waitFor` ran out of time (`ChainTimeoutError`). Contracts opened on its
 * `provider()` call TonClient directly and throw its own errors.
 */
export type TonChainClientErrorType = ChainError | ChainTimeoutError

/**
 * ChainClient over @ton/ton's TonClient (toncenter HTTP API v2): testnet, mainnet, devnet.
 * @throws {TonChainClientErrorType}
 */
export class TonChainClient implements ChainClient {
  readonly client: TonClient
  private readonly timeout: number
  private readonly pollInterval: number

  constructor(init: TonChainClientInit) {
    this.client = new TonClient({
      endpoint: init.endpoint,
      ...(init.apiKey === undefined ? {} : { apiKey: init.apiKey }),
    })
    this.timeout = init.timeout ?? 60_000
    this.pollInterval = init.pollInterval ?? 1_000
  }

  provider(address: Address, init?: StateInit | null): ContractProvider {
    return this.client.provider(address, init ?? null)
  }

  async getBalance(address: Address): Promise<bigint> {
    return this.call(() => this.client.getBalance(address), `getBalance ${address.toString()}`)
  }

  async getStatus(address: Address): Promise<AccountStatus> {
    const state = await this.call(
      () => this.client.getContractState(address),
      `state of ${address.toString()}`,
    )
    return state.state === 'uninitialized' ? 'uninit' : state.state
  }

  async chainTime(): Promise<number> {
    const state = await this.call(() => this.client.getContractState(ZERO_ADDRESS), 'chain time (sync_utime)')
    return state.timestampt
  }

  waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
    return pollUntil(check, what, this.timeout, this.pollInterval)
  }

  async transactions(address: Address, limit: number, before?: Transaction): Promise<Transaction[]> {
    const from =
      before === undefined ? {} : { lt: before.lt.toString(), hash: before.hash().toString('base64') }
    return this.call(
      () => this.client.getTransactions(address, { limit, archival: true, ...from }),
      `transactions of ${address.toString()}`,
    )
  }

  async estimateExternalFee(address: Address, body: Cell, init?: StateInit): Promise<bigint> {
    const { source_fees: f } = await this.call(
      () =>
        this.client.estimateExternalMessageFee(address, {
          body,
          initCode: init?.code ?? null,
          initData: init?.data ?? null,
          ignoreSignature: true,
        }),
      `estimateFee for ${address.toString()}`,
    )
    return BigInt(f.in_fwd_fee) + BigInt(f.storage_fee) + BigInt(f.gas_fee) + BigInt(f.fwd_fee)
  }

  async locateResult(
    source: Address,
    destination: Address,
    createdLt: bigint,
  ): Promise<Transaction | undefined> {
    try {
      return await this.client.tryLocateResultTx(source, destination, createdLt.toString())
    } catch (cause) {
      // toncenter answers 404 until the message has run
      if (httpStatus(cause) === 404) return undefined
      throw new ChainError('chain endpoint request failed', {
        details: `tryLocateResultTx ${source.toString()} -> ${destination.toString()} at ${createdLt}: ${errorMessage(cause) ?? String(cause)}`,
        cause,
      })
    }
  }

  private async call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn()
    } catch (cause) {
      throw new ChainError('chain endpoint request failed', {
        details: `${what}: ${errorMessage(cause) ?? String(cause)}`,
        cause,
      })
    }
  }
}

/** The HTTP status of a failed TonClient call (an axios error carries `response.status`). */
function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined
  const response = error.response
  if (typeof response !== 'object' || response === null || !('status' in response)) return undefined
  return typeof response.status === 'number' ? response.status : undefined
}
