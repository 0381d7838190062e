/**
 * The light SDK as an app gets it from npm: the client and its workspace
 * dependencies packed with `npm pack`, the tarballs installed in an empty
 * folder, and a plain Node script there running one LLM job against a local
 * mesh (a bootstrap peer and a provider serving the generated tiny model, real
 * processes on 127.0.0.1). The installed tree must hold no model runtime, no
 * chain emulator, no LevelDB and no native addon.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type LocalMesh, startLocalMesh } from '@cocoon-mesh/peer'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inspectInstall, installSdk, runInApp, type SdkInstall } from '../../test-support/sdk-install.ts'
import { useScratchHome } from './support/scratch-home.js'

const ROOT = join(import.meta.dirname, '../..')
const scratch = useScratchHome('cocoon-e2e-sdk-pack-')
let install: SdkInstall | undefined
let mesh: LocalMesh | undefined

beforeAll(async () => {
  install = await installSdk()
}, 300_000)

afterAll(async () => {
  await mesh?.stop()
  await install?.remove()
})

function installed(): SdkInstall {
  if (install === undefined) throw new Error('the SDK is installed in beforeAll')
  return install
}

interface Manifest {
  exports?: unknown
  imports?: unknown
}

/** Every file an `exports` or `imports` map points at, except the `cocoon-source` condition (sources for tests). */
function targets(map: unknown): string[] {
  if (typeof map === 'string') return [map.replace(/^\.\//, '')]
  if (map === null || typeof map !== 'object') return []
  return Object.entries(map).flatMap(([key, value]) => (key === 'cocoon-source' ? [] : targets(value)))
}

describe('the SDK installed from its npm tarballs', () => {
  it('packs the client and only the workspace packages it needs, each with every file its exports name', async () => {
    const { tarballs } = installed()
    expect(tarballs.map((t) => t.name).sort()).toEqual([
      '@cocoon-mesh/attestation',
      '@cocoon-mesh/client',
      '@cocoon-mesh/protocol',
      '@cocoon-mesh/settlement',
    ])
    for (const tarball of tarballs) {
      const dir = join(ROOT, 'packages', tarball.name.replace('@cocoon-mesh/', ''))
      const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest
      const wanted = [...targets(manifest.exports), ...targets(manifest.imports)]
      expect(wanted.length).toBeGreaterThan(0)
      const missing = wanted.filter((file) => !tarball.files.includes(file))
      expect(missing, `${tarball.name}'s tarball lacks what its package.json points at`).toEqual([])
    }
  })

  it('installs no model runtime, chain emulator, LevelDB or native addon', async () => {
    const tree = await inspectInstall(installed().appDir)
    expect(tree.packages).toContain('@cocoon-mesh/client')
    expect(tree.packages).not.toContain('@cocoon-mesh/peer')
    expect(tree.packages).not.toContain('@cocoon-mesh/gpu-runtime')
    expect(tree.heavy).toEqual([])
    expect(tree.native).toEqual([])
  })

  it('fails payments from a home folder with MissingDependencyError, naming the package to install', async () => {
    const out = await runInApp(installed().appDir, 'home-payments.mjs', [join(scratch.home, 'client-home')])
    expect(out).toMatchObject({
      error: 'MissingDependencyError',
      code: 'ERR_MISSING_DEPENDENCY',
      missingDependency: true,
    })
    expect(out.details).toContain('npm install datastore-level')
  })

  it.each(['@cocoon-mesh/client', '@cocoon-mesh/client/bundle'])(
    'runs an LLM job from a plain Node script importing %s against a local mesh',
    async (entry) => {
      mesh ??= await startLocalMesh({ providers: [{ price: '1000' }], home: scratch.home })
      const provider = mesh.providers[0]?.peerId
      const out = await runInApp(installed().appDir, 'first-job.mjs', [
        JSON.stringify(mesh.bootstrapAddrs),
        'tiny',
        entry,
      ])
      const usage = out.usage as {
        completionTokens: number
        parts: Array<{ providerId: string; outcome: string }>
      }
      expect(usage.completionTokens).toBeGreaterThan(0)
      expect(typeof out.text === 'string' && out.text.length > 0).toBe(true)
      expect(usage.parts.map((p) => [p.providerId, p.outcome])).toEqual([[provider, 'completed']])
    },
  )
})
