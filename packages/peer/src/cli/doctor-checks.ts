/**
 * What `cocoon doctor` checks before a node sells: the GPU and driver, the
 * llama.cpp binary that loads, each model loading and answering, reaching the
 * mesh, the chain endpoint, the wallet's balance against claim fees, and the
 * clock. Each finding says what it saw and, when it is not ok, the fix; a
 * `fail` means the node cannot sell (or would lose money) until it is fixed.
 */
import { connect } from 'node:net'
import {
  createRuntime,
  detectHardware,
  type HardwareInfo,
  type LlmModelConfig,
  probeLlamaBinary,
} from '@cocoon-mesh/gpu-runtime'
import { describeError, errorLine } from '@cocoon-mesh/protocol'
import { TonChainClient, walletFromMnemonic } from '@cocoon-mesh/settlement'
import { loadOrCreateWalletMnemonic } from '@cocoon-mesh/settlement/node'
import { tryGetNetConfig } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { NodeConfig } from '../home/config.js'
import { ModelUnavailableError, NodeNotRunningError } from '../home/errors.js'
import { providedModels, runtimeModelConfig } from '../home/provide-models.js'
import { type NodeState, readNodeState } from '../home/state.js'
import { measureModel, unavailable } from '../jobs/model-check.js'

export type FindingStatus = 'ok' | 'warn' | 'fail'

export interface Finding {
  /** What was checked, e.g. `gpu`, `model qwen`, `chain`. */
  check: string
  status: FindingStatus
  /** What the check saw. */
  message: string
  /** What to do about it (absent when ok). */
  fix?: string
}

/** A claim costs about this much in fees on TON (the paid e2e tests bound it the same way). */
export const CLAIM_FEE_ESTIMATE = 20_000_000n
/** Claims a wallet should be able to pay for before it is low: ten at the estimate. */
export const MIN_CLAIMS_FUNDED = 10n
/** Clock drift beyond which vouchers, offers and deadlines go wrong, ms. */
export const MAX_CLOCK_DRIFT_MS = 30_000

const ok = (check: string, message: string): Finding => ({ check, status: 'ok', message })

/** The GPUs and driver hardware detection found (`nvidia-smi`). */
export function gpuFinding(hw: HardwareInfo): Finding {
  if (hw.gpus.length === 0)
    return {
      check: 'gpu',
      status: 'warn',
      message: `no NVIDIA GPU found (nvidia-smi); CPU ${hw.cpu.model}, ${hw.cpu.cores} cores, ${hw.memoryMb} MiB RAM`,
      fix: 'Fine for small models and upstreams; for GGUF models on a GPU install the NVIDIA driver (nvidia-smi must run).',
    }
  return ok('gpu', hw.gpus.map((g) => `${g.name} ${g.vramMb} MiB driver ${g.driverVersion}`).join('; '))
}

/** Which llama.cpp binary loads (only matters when a GGUF model is sold). */
export async function llamaFinding(hw: HardwareInfo): Promise<Finding> {
  try {
    const probe = await probeLlamaBinary(hw)
    const gpuUnused = hw.gpus.length > 0 && probe.loaded === 'cpu'
    return {
      check: 'llama.cpp',
      status: gpuUnused ? 'warn' : 'ok',
      message: `binary ${probe.loaded} loads (${probe.reason}); binaries here: ${probe.supported.join(', ')}`,
      ...(gpuUnused
        ? {
            fix: 'A GPU is present but the CPU binary loaded: check the CUDA driver version node-llama-cpp needs.',
          }
        : {}),
    }
  } catch (error) {
    return {
      check: 'llama.cpp',
      status: 'fail',
      message: errorLine(error),
      fix: 'Reinstall node-llama-cpp (npm ci) or sell an upstream model.',
    }
  }
}

/** Each provided model loads and answers one request. */
export async function modelFindings(home: string, config: NodeConfig, hw: HardwareInfo): Promise<Finding[]> {
  const entries = providedModels(config.provide.models)
  if (entries.length === 0)
    return [
      {
        check: 'models',
        status: 'fail',
        message: 'provide.models is empty: there is nothing to sell',
        fix: 'cocoon models add <id> <file.gguf | hf:user/repo:quant | http://upstream:8000>, or cocoon init --try for a test model',
      },
    ]
  const findings: Finding[] = []
  const runnable: LlmModelConfig[] = []
  for (const entry of entries) {
    try {
      runnable.push(runtimeModelConfig(home, entry, config.provide))
    } catch (error) {
      findings.push({
        check: `model ${entry.id}`,
        status: 'fail',
        message: errorLine(error),
        fix: describeError(error).details ?? '',
      })
    }
  }
  const runtime = await createRuntime({ home, models: runnable, tensor: false, hardware: hw })
  try {
    for (const model of runnable) findings.push(await modelFinding(runtime, model))
  } finally {
    await runtime.close()
  }
  return findings
}

async function modelFinding(
  runtime: Awaited<ReturnType<typeof createRuntime>>,
  model: LlmModelConfig,
): Promise<Finding> {
  const check = `model ${model.name}`
  try {
    const f = await measureModel(runtime, model, { maxTokens: 8 })
    return ok(
      check,
      `answers on ${f.backend}: first token ${f.timeToFirstTokenMs.toFixed(0)} ms, ${f.tokensPerSecond.toFixed(1)} tokens/s`,
    )
  } catch (error) {
    const e = error instanceof ModelUnavailableError ? error : unavailable(model, error)
    return { check, status: 'fail', message: e.shortMessage, fix: e.details ?? '' }
  }
}

/** TCP-connects to `host:port` within `timeoutMs`; resolves with the failure, or undefined when it connected. */
function tcpDial(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs })
    socket.once('connect', () => {
      socket.destroy()
      resolve(undefined)
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve(`no answer within ${timeoutMs} ms`)
    })
    socket.once('error', (error) => resolve(errorLine(error)))
  })
}

/** Whether the bootstrap peers can be dialled (TCP) — without one this node starts its own mesh. */
export async function meshFindings(config: NodeConfig): Promise<Finding[]> {
  if (config.bootstrap.length === 0)
    return [
      {
        check: 'mesh',
        status: 'warn',
        message: 'no bootstrap peers: this node starts a new mesh that only peers you tell will find',
        fix: 'Set "bootstrap" in config.jsonc (or --bootstrap) to a running node\'s /ip4/.../tcp/.../p2p/<id> to join the mesh.',
      },
    ]
  const findings: Finding[] = []
  for (const addr of config.bootstrap) {
    const check = `bootstrap ${addr}`
    const net = tryGetNetConfig(multiaddr(addr))
    if (net === null || net.protocol !== 'tcp' || net.port === undefined) {
      findings.push({
        check,
        status: 'warn',
        message: 'not a TCP address this check can dial',
        fix: 'Use an /ip4/<host>/tcp/<port>/p2p/<id> address.',
      })
      continue
    }
    const target = { address: net.host, port: net.port }
    const failure = await tcpDial(target.address, target.port, 5000)
    findings.push(
      failure === undefined
        ? ok(check, 'reachable')
        : {
            check,
            status: 'fail',
            message: `cannot dial ${target.address}:${target.port}: ${failure}`,
            fix: 'Check that the node runs, the address is current and no firewall blocks the port.',
          },
    )
  }
  return findings
}

/**
 * The chain endpoint answers `getMasterchainInfo`; its HTTP Date header gives
 * the clock drift; the wallet holds enough for claim fees.
 */
export async function chainFindings(
  home: string,
  endpoint: string | undefined,
  apiKey: string | undefined,
  now: () => number,
): Promise<Finding[]> {
  if (endpoint === undefined || endpoint === '')
    return [
      {
        check: 'chain',
        status: 'warn',
        message: 'no chain endpoint: payments are off and jobs are served for free',
        fix: 'Pass --chain-endpoint <toncenter v2 jsonRPC URL> (or COCOON_TON_ENDPOINT) to be paid.',
      },
    ]
  const sentAt = now()
  let response: Response
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }),
      },
      body: JSON.stringify({ id: '1', jsonrpc: '2.0', method: 'getMasterchainInfo', params: {} }),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    return [
      {
        check: 'chain',
        status: 'fail',
        message: `${endpoint} is unreachable: ${errorLine(error)}`,
        fix: 'Check the URL (toncenter v2 ends in /jsonRPC), network access and COCOON_TON_API_KEY; without it claims fail and earnings stay unclaimed.',
      },
    ]
  }
  let body: { ok?: boolean; error?: string } | undefined
  let notJson = ''
  try {
    body = (await response.json()) as { ok?: boolean; error?: string }
  } catch (error) {
    // a body that is not JSON is itself the finding: named in the message below
    notJson = `, and its body is not JSON (${errorLine(error)})`
  }
  if (!response.ok || body?.ok !== true)
    return [
      {
        check: 'chain',
        status: 'fail',
        message: `${endpoint} answered HTTP ${response.status}${body?.error === undefined ? '' : `: ${body.error}`}${notJson}`,
        fix: 'Point --chain-endpoint at a toncenter v2 jsonRPC endpoint; HTTP 401/403 means the API key (COCOON_TON_API_KEY) is missing or wrong.',
      },
    ]
  return [
    ok('chain', `${endpoint} answers`),
    clockFinding(response.headers.get('date'), sentAt, now()),
    await walletFinding(home, endpoint, apiKey),
  ]
}

function clockFinding(date: string | null, sentAt: number, receivedAt: number): Finding {
  const remote = date === null ? Number.NaN : Date.parse(date)
  if (Number.isNaN(remote))
    return {
      check: 'clock',
      status: 'warn',
      message: 'the chain endpoint sent no Date header to compare with',
      fix: 'Keep the clock synchronised (chrony or systemd-timesyncd).',
    }
  // the header has 1 s resolution and was written between sending and receiving
  const drift = (sentAt + receivedAt) / 2 - remote
  if (Math.abs(drift) <= MAX_CLOCK_DRIFT_MS + 1000)
    return ok('clock', `within ${Math.ceil(Math.abs(drift) / 1000)} s of the chain endpoint`)
  return {
    check: 'clock',
    status: 'fail',
    message: `the clock is ${(drift / 1000).toFixed(0)} s off the chain endpoint's`,
    fix: 'Synchronise the clock (chrony or systemd-timesyncd): offers, vouchers and job deadlines carry times.',
  }
}

async function walletFinding(home: string, endpoint: string, apiKey: string | undefined): Promise<Finding> {
  const wallet = await walletFromMnemonic((await loadOrCreateWalletMnemonic(home)).mnemonic)
  const chain = new TonChainClient({ endpoint, ...(apiKey === undefined ? {} : { apiKey }) })
  const address = wallet.address.toString()
  let balance: bigint
  try {
    balance = await chain.getBalance(wallet.address)
  } catch (error) {
    return {
      check: 'wallet',
      status: 'fail',
      message: `cannot read the balance of ${address}: ${errorLine(error)}`,
      fix: 'Check the chain endpoint.',
    }
  }
  const needed = CLAIM_FEE_ESTIMATE * MIN_CLAIMS_FUNDED
  const ton = (n: bigint): string => `${Number(n) / 1e9} TON`
  if (balance >= needed)
    return ok(
      'wallet',
      `${address} holds ${ton(balance)} (≈${balance / CLAIM_FEE_ESTIMATE} claims at ${ton(CLAIM_FEE_ESTIMATE)})`,
    )
  return {
    check: 'wallet',
    status: 'fail',
    message: `${address} holds ${ton(balance)}; a claim costs about ${ton(CLAIM_FEE_ESTIMATE)} in fees`,
    fix: `Send at least ${ton(needed - balance)} to ${address} so claims can pay their fees (cocoon wallet shows the address).`,
  }
}

/**
 * The running node of this home (if any) answers on each TCP address it
 * advertises: what a peer dialling the offer's addresses would reach.
 */
export async function selfFindings(home: string): Promise<Finding[]> {
  let state: NodeState
  try {
    state = await readNodeState(home)
  } catch (error) {
    if (!(error instanceof NodeNotRunningError)) throw error
    return [
      {
        check: 'listening',
        status: 'warn',
        message: `no node runs from ${home}, so its addresses were not dialled`,
        fix: `Run \`cocoon doctor\` again while \`cocoon node start --home ${home}\` runs to check them.`,
      },
    ]
  }
  const findings: Finding[] = []
  for (const addr of state.addresses) {
    const net = tryGetNetConfig(multiaddr(addr))
    if (net === null || net.protocol !== 'tcp' || net.port === undefined || addr.includes('/ws')) continue
    const failure = await tcpDial(net.host, net.port, 5000)
    findings.push(
      failure === undefined
        ? ok(`listening ${addr}`, 'answers')
        : {
            check: `listening ${addr}`,
            status: 'fail',
            message: `the node advertises ${addr} but it does not answer: ${failure}`,
            fix: 'Open the port in the firewall, or set --listen / "listen" to an address peers can reach.',
          },
    )
  }
  return findings
}

/** Runs every check; hardware is detected once. */
export async function runDoctor(options: {
  home: string
  config: NodeConfig
  endpoint: string | undefined
  apiKey: string | undefined
  now?: () => number
}): Promise<Finding[]> {
  const now = options.now ?? Date.now
  const hw = await detectHardware({ timeoutMs: 3000 })
  const ggufSold = providedModels(options.config.provide.models).some((m) => m.upstream === undefined)
  return [
    gpuFinding(hw),
    ...(ggufSold ? [await llamaFinding(hw)] : []),
    ...(await modelFindings(options.home, options.config, hw)),
    ...(await meshFindings(options.config)),
    ...(await selfFindings(options.home)),
    ...(await chainFindings(options.home, options.endpoint, options.apiKey, now)),
  ]
}
