import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { Address, Cell, loadMessage, toNano } from '@ton/core'
import { Blockchain, type SandboxContract, type TreasuryContract } from '@ton/sandbox'
import { ChainError } from '../errors.js'
import { fromToncenterStack, toToncenterStackItem } from './devnet-stack.js'

/** Largest request body the devnet accepts. */
const MAX_BODY = 1 << 20

export interface StartDevnetOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
}

export interface Devnet {
  /** The toncenter v2 jsonRPC endpoint to give TonClient. */
  readonly endpoint: string
  readonly port: number
  readonly blockchain: Blockchain
  /** Sends `amount` nanoTON from the devnet treasury to `address` (non-bounceable). */
  faucet(address: Address, amount: bigint): Promise<void>
  /** Moves the devnet clock forward (e.g. past a channel's exit delay). */
  advanceTime(seconds: number): void
  stop(): Promise<void>
}

/** What {@link startDevnet} throws: node's listen error (`EADDRINUSE`...) or the emulator's. */
export type StartDevnetErrorType = Error

/**
 * Runs the TON emulator (@ton/sandbox) behind the subset of the toncenter
 * HTTP API v2 (jsonRPC) that @ton/ton's TonClient uses: getAddressInformation,
 * runGetMethod, sendBoc, getMasterchainInfo, getTransactions (empty). Two
 * devnet-only methods: `cocoonFaucet {address, amount}` and
 * `cocoonAdvanceTime {seconds}`. Requests are applied one at a time.
 * @throws {StartDevnetErrorType}
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const log = (options.logger ?? defaultLogger()).forComponent('cocoon:devnet')
  const chain = await DevnetChain.create()
  const methods = devnetMethods(chain)
  const server: Server = createServer((req, res) => {
    void handleRequest(req, res, methods, chain, log)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port, address } = server.address() as AddressInfo
  const endpoint = `http://${address}:${port}/jsonRPC`
  log('devnet listening on %s', endpoint)

  return {
    endpoint,
    port,
    blockchain: chain.blockchain,
    faucet: (to, amount) => chain.serial(() => chain.faucet(to, amount)),
    advanceTime(seconds) {
      chain.advance(seconds)
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * The emulated chain: its clock (wall-clock time plus the seconds it was
 * advanced, as a real chain's time moves on its own), the faucet treasury,
 * and the queue that applies requests one at a time.
 */
class DevnetChain {
  private offset = 0
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(
    readonly blockchain: Blockchain,
    private readonly treasury: SandboxContract<TreasuryContract>,
  ) {}

  static async create(): Promise<DevnetChain> {
    const blockchain = await Blockchain.create()
    blockchain.now = devnetTime(0)
    const treasury = await blockchain.treasury('cocoon-devnet-faucet', { balance: toNano('1000000000') })
    return new DevnetChain(blockchain, treasury)
  }

  /** The chain's unix time, seconds. */
  now(): number {
    return devnetTime(this.offset)
  }

  advance(seconds: number): void {
    this.offset += seconds
  }

  /** Runs `fn` after every earlier request, with the chain clock brought up to date. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      this.blockchain.now = this.now()
      return fn()
    })
    // The caller of this job gets its failure through `next`; the queue only waits for it to settle.
    this.queue = Promise.allSettled([next])
    return next
  }

  /** Sends `amount` nanoTON from the treasury (non-bounceable). */
  async faucet(to: Address, amount: bigint): Promise<void> {
    await this.treasury.send({ to, value: amount, bounce: false })
  }
}

/** Wall-clock unix seconds plus `offset`: the devnet's chain time. */
function devnetTime(offset: number): number {
  return Math.floor(Date.now() / 1000) + offset
}

type DevnetMethod = (params: Record<string, unknown>) => Promise<unknown>

/** The toncenter v2 methods TonClient calls, and the devnet-only faucet and clock. */
function devnetMethods(chain: DevnetChain): Record<string, DevnetMethod> {
  const { blockchain } = chain
  return {
    async getAddressInformation(params) {
      const contract = await blockchain.getContract(Address.parse(String(params.address)))
      const state = contract.accountState
      const init = state?.type === 'active' ? state.state : undefined
      return {
        '@type': 'raw.fullAccountState',
        balance: contract.balance.toString(),
        state: state === undefined ? 'uninitialized' : state.type === 'uninit' ? 'uninitialized' : state.type,
        code: init?.code?.toBoc().toString('base64') ?? '',
        data: init?.data?.toBoc().toString('base64') ?? '',
        last_transaction_id: {
          '@type': 'internal.transactionId',
          lt: contract.lastTransactionLt.toString(),
          hash: Buffer.from(contract.lastTransactionHash.toString(16).padStart(64, '0'), 'hex').toString(
            'base64',
          ),
        },
        block_id: blockId(),
        sync_utime: blockchain.now ?? 0,
      }
    },
    async runGetMethod(params) {
      const res = await blockchain.runGetMethod(
        Address.parse(String(params.address)),
        String(params.method),
        fromToncenterStack(params.stack),
      )
      return {
        gas_used: Number(res.gasUsed),
        exit_code: res.exitCode,
        stack: res.stack.map(toToncenterStackItem),
      }
    },
    async sendBoc(params) {
      const message = loadMessage(Cell.fromBase64(String(params.boc)).beginParse())
      await blockchain.sendMessage(message)
      return { '@type': 'ok' }
    },
    async getMasterchainInfo() {
      return { '@type': 'blocks.masterchainInfo', state_root_hash: '', last: blockId(), init: blockId() }
    },
    async getTransactions() {
      return []
    },
    async cocoonFaucet(params) {
      await chain.faucet(Address.parse(String(params.address)), BigInt(String(params.amount)))
      return { '@type': 'ok' }
    },
    async cocoonAdvanceTime(params) {
      chain.advance(Number(params.seconds))
      return { '@type': 'ok', now: chain.now() }
    },
  }
}

/** Answers one jsonRPC POST (a GET says what the endpoint is); failures are `ok: false` replies. */
async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  methods: Record<string, DevnetMethod>,
  chain: DevnetChain,
  log: Logger,
): Promise<void> {
  if (req.method !== 'POST') {
    reply(res, 200, { ok: true, result: 'cocoon devnet: POST toncenter v2 jsonRPC here' })
    return
  }
  let id: unknown = null
  try {
    const body = await readBody(req)
    const call = JSON.parse(body) as { id?: unknown; method?: unknown; params?: Record<string, unknown> }
    id = call.id ?? null
    const method = typeof call.method === 'string' ? methods[call.method] : undefined
    if (method === undefined) {
      reply(res, 200, {
        ok: false,
        error: `method not supported by the devnet: ${String(call.method)}`,
        code: 404,
        id,
      })
      return
    }
    const result = await chain.serial(() => method(call.params ?? {}))
    reply(res, 200, { ok: true, result, id, jsonrpc: '2.0' })
  } catch (error) {
    log('request failed: %s', errorMessage(error))
    reply(res, 200, { ok: false, error: errorMessage(error) ?? String(error), code: 500, id })
  }
}

/** What {@link devnetCall} throws: the devnet answered an error, or `fetch` / JSON parsing failed. */
export type DevnetCallErrorType = ChainError | Error

/**
 * Calls a devnet-only method (faucet, time) on a devnet endpoint.
 * @throws {DevnetCallErrorType}
 */
export async function devnetCall(
  endpoint: string,
  method: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: '1', jsonrpc: '2.0', method, params }),
  })
  const body = (await res.json()) as { ok: boolean; result?: unknown; error?: string }
  if (!body.ok)
    throw new ChainError(`devnet ${method} failed`, {
      details: `${body.error ?? 'unknown error'} (endpoint ${endpoint}; is it a cocoon devnet?)`,
    })
  return body.result
}

function blockId() {
  return {
    '@type': 'ton.blockIdExt',
    workchain: -1,
    shard: '-9223372036854775808',
    seqno: 1,
    root_hash: '',
    file_hash: '',
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new Error(`request body over ${MAX_BODY} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
