/**
 * `npm run demo -- --serve`: the demo's devnet, bootstrap peer and providers
 * kept up for a web page (the Mini App example) until Ctrl-C, which tears
 * everything down. Prints the bootstrap's WebSocket address, the devnet's
 * endpoint and the page URL carrying both.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@cocoon-mesh/settlement/devnet'
import { Address, toNano } from '@ton/core'
import { type LocalMesh, startLocalMesh } from './mesh.js'

/** nanoTON per 1000 tokens of the served providers: 1 TON and 3 TON. */
const PRICES = [toNano('1'), toNano('3')] as const
const MODEL = 'tiny'

export interface ServedMesh {
  devnet: Devnet
  mesh: LocalMesh
  /** The bootstrap's `/ws/p2p/…` address: what a browser dials. */
  bootstrapWs: string
  stop(): Promise<void>
}

/** Starts the devnet and a mesh of paid providers on it; `stop()` ends all of it and removes its folder. */
export async function startServedMesh(): Promise<ServedMesh> {
  const home = await mkdtemp(join(tmpdir(), 'cocoon-demo-serve-'))
  let devnet: Devnet | undefined
  let mesh: LocalMesh | undefined
  try {
    devnet = await startDevnet({ port: 0 })
    const chainEndpoint = devnet.endpoint
    mesh = await startLocalMesh({
      providers: PRICES.map((price) => ({ price: price.toString(), model: MODEL, chainEndpoint })),
      home,
    })
    const started = devnet
    const running = mesh
    // the providers' claims are sent from their payout wallets, which pay the fees
    for (const p of running.providers)
      if (p.payoutAddress !== undefined) await started.faucet(Address.parse(p.payoutAddress), toNano('1'))
    const bootstrapWs = running.bootstrapAddrs.find((a) => a.includes('/ws/'))
    if (bootstrapWs === undefined)
      throw new Error(
        `the bootstrap peer listens on no WebSocket address: ${running.bootstrapAddrs.join(', ')}`,
      )
    return {
      devnet: started,
      mesh: running,
      bootstrapWs,
      async stop() {
        await running.stop()
        await started.stop()
        await rm(home, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await mesh?.stop()
    await devnet?.stop()
    await rm(home, { recursive: true, force: true })
    throw error
  }
}

/** The page URL for a served mesh: `page` with `?bootstrap=<ws addr>&devnet=<endpoint>`. */
export function pageUrl(page: string, served: Pick<ServedMesh, 'bootstrapWs' | 'devnet'>): string {
  const url = new URL(page)
  url.searchParams.set('bootstrap', served.bootstrapWs)
  url.searchParams.set('devnet', served.devnet.endpoint)
  return url.toString()
}

/** Runs the served mesh until SIGINT or SIGTERM, printing where a page finds it. */
export async function serveDemoMesh(page: string): Promise<void> {
  const served = await startServedMesh()
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`)
  }
  out(`devnet     ${served.devnet.endpoint}`)
  out(`bootstrap  ${served.bootstrapWs}`)
  for (const [i, p] of served.mesh.providers.entries())
    out(`provider-${String.fromCharCode(65 + i)} ${p.peerId} (${PRICES[i]} nanoTON/1k tokens)`)
  out(`page       ${pageUrl(page, served)}`)
  out('(serve the page with `npm run miniapp` in another terminal; Ctrl-C stops the mesh)')
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve())
    process.once('SIGTERM', () => resolve())
  })
  out('stopping the mesh and the devnet')
  await served.stop()
}
