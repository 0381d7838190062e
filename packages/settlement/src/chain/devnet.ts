import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { Address } from '@ton/core'
import type { Blockchain } from '@ton/sandbox'
import { ChainError, DevnetRequestError } from '../errors.js'
import { DevnetChain } from './devnet-chain.js'
import { type DevnetParams, devnetMethods, faucetMethod } from './devnet-methods.js'

/** Largest request body the devnet accepts. */
const MAX_BODY = 1 << 20

/** Default ms between blocks: messages wait this long for the block that runs them. */
export const DEFAULT_DEVNET_BLOCK_INTERVAL = 250

export interface StartDevnetOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /**
   * ms between blocks (default {@link DEFAULT_DEVNET_BLOCK_INTERVAL}). An
   * accepted message runs in the next block, each hop of its chain one block
   * later, as on the real chain.
   */
  blockInterval?: number
  /** Run every message's whole chain before `sendBoc` answers (fast tests). Default false. */
  instant?: boolean
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
}

export interface Devnet {
  /** The toncenter v2 jsonRPC endpoint to give TonClient. */
  readonly endpoint: string
  readonly port: number
  readonly blockchain: Blockchain
  /** Sends `amount` nanoTON from the devnet treasury to `address` (non-bounceable); resolves once it landed. */
  faucet(address: Address, amount: bigint): Promise<void>
  /** Moves the devnet clock forward (e.g. past a channel's exit delay). */
  advanceTime(seconds: number): void
  stop(): Promise<void>
}

/** What {@link startDevnet} throws: node's listen error (`EADDRINUSE`...) or the emulator's. */
export type StartDevnetErrorType = Error

/**
 * Runs the TON emulator (@ton/sandbox) behind the toncenter HTTP API v2
 * (jsonRPC) that @ton/ton's TonClient uses: accounts and get-methods,
 * `sendBoc` (accepted now, run in the following blocks), transactions per
 * account (`getTransactions`, `tryLocateResultTx`, `tryLocateSourceTx`),
 * blocks (`getMasterchainInfo`, `shards`, `getBlockTransactions`) and
 * `estimateFee`. Failures answer with toncenter's HTTP status and
 * `{ok: false, error, code}`. Any origin may call it (CORS), so a web
 * page on another local port can use it. Two devnet-only methods: `cocoonFaucet
 * {address, amount}` and `cocoonAdvanceTime {seconds}`.
 * @throws {StartDevnetErrorType}
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const log = (options.logger ?? defaultLogger()).forComponent('cocoon:devnet')
  const chain = await DevnetChain.create({
    blockInterval: options.blockInterval ?? DEFAULT_DEVNET_BLOCK_INTERVAL,
    instant: options.instant ?? false,
    log,
  })
  const methods = devnetMethods(chain)
  const faucet = faucetMethod(chain)
  const server: Server = createServer((req, res) => {
    void handleRequest(
      req,
      res,
      (name, params) => {
        if (name === 'cocoonFaucet') return faucet(params)
        const method = methods[name]
        if (method === undefined)
          return Promise.reject(new DevnetRequestError(404, `method not supported by the devnet: ${name}`))
        return chain.serial(() => method(params))
      },
      log,
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port, address } = server.address() as AddressInfo
  const endpoint = `http://${address}:${port}/jsonRPC`
  log('devnet listening on %s (%s)', endpoint, options.instant === true ? 'instant' : 'blocks')

  return {
    endpoint,
    port,
    blockchain: chain.blockchain,
    faucet: (to, amount) => chain.faucet(to, amount),
    advanceTime(seconds) {
      chain.advance(seconds)
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await chain.stop()
    },
  }
}

/**
 * Answers one jsonRPC POST. A failure answers with its HTTP status
 * (toncenter's: 404, 405, 422, 500) and `{ok: false, error, code}`.
 */
async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  call: (method: string, params: DevnetParams) => Promise<unknown>,
  log: Logger,
): Promise<void> {
  let id: unknown = null
  // a local emulator's coins are worth nothing: any page (a Mini App on another local port) may call it
  res.setHeader('access-control-allow-origin', '*')
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST',
      // @ton/ton's TonClient sends its version and, when set, an API key
      'access-control-allow-headers': 'content-type, x-ton-client-version, x-api-key',
      'access-control-max-age': '600',
    })
    res.end()
    return
  }
  try {
    if (req.method !== 'POST' && req.method !== 'GET') throw new DevnetRequestError(405, 'use GET or POST')
    if (req.method === 'GET') {
      reply(res, 200, { ok: true, result: 'cocoon devnet: POST toncenter v2 jsonRPC here' })
      return
    }
    const body = parseCall(await readBody(req))
    id = body.id
    const result = await call(body.method, body.params)
    reply(res, 200, { ok: true, result, id, jsonrpc: '2.0' })
  } catch (error) {
    const status = error instanceof DevnetRequestError ? error.status : 500
    log('request failed (%d): %s', status, errorMessage(error))
    reply(res, status, {
      ok: false,
      error: errorMessage(error) ?? String(error),
      code: status,
      id,
      jsonrpc: '2.0',
    })
  }
}

/** The id, method and params of a jsonRPC body. */
function parseCall(text: string): { id: unknown; method: string; params: DevnetParams } {
  let call: unknown
  try {
    call = JSON.parse(text)
  } catch (cause) {
    throw new DevnetRequestError(422, 'the body is not JSON', cause)
  }
  if (typeof call !== 'object' || call === null)
    throw new DevnetRequestError(422, 'the body is not a jsonRPC call')
  const { id, method, params } = call as { id?: unknown; method?: unknown; params?: unknown }
  if (typeof method !== 'string') throw new DevnetRequestError(422, 'method must be a string')
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params)))
    throw new DevnetRequestError(422, 'params must be an object')
  return { id: id ?? null, method, params: (params ?? {}) as DevnetParams }
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
      details: `${body.error ?? 'unknown error'} (HTTP ${res.status} from ${endpoint}; is it a cocoon devnet?)`,
    })
  return body.result
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
    if (size > MAX_BODY) throw new DevnetRequestError(413, `request body over ${MAX_BODY} bytes`)
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}
