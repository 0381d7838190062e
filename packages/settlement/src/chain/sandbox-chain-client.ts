import type { Address, ContractProvider, StateInit } from '@ton/core'
import type { Blockchain } from '@ton/sandbox'
import { ChainTimeoutError } from '../errors.js'
import type { AccountStatus, ChainClient } from './chain-client.js'

/** ChainClient over an in-process @ton/sandbox Blockchain (messages apply synchronously). */
export class SandboxChainClient implements ChainClient {
  constructor(readonly blockchain: Blockchain) {}

  provider(address: Address, init?: StateInit | null): ContractProvider {
    return this.blockchain.provider(address, init ?? null)
  }

  async getBalance(address: Address): Promise<bigint> {
    return (await this.blockchain.getContract(address)).balance
  }

  async getStatus(address: Address): Promise<AccountStatus> {
    const state = (await this.blockchain.getContract(address)).accountState
    return state === undefined ? 'uninit' : state.type
  }

  async chainTime(): Promise<number> {
    return this.blockchain.now ?? Math.floor(Date.now() / 1000)
  }

  async waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
    if (!(await check())) throw new ChainTimeoutError('sandbox message did not apply', { details: what })
  }
}
