import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { browserBundle, HEAVY_PACKAGES } from '../../../../test-support/browser-bundle.ts'

// e2e, not unit: esbuild's JS API runs the esbuild binary as a child process
describe('the root entry of @cocoon-mesh/settlement in a browser bundle', () => {
  it('bundles with no Node builtin, no native or heavy package, on the browser backends', async () => {
    const bundle = await browserBundle(fileURLToPath(new URL('../../src/index.ts', import.meta.url)))
    expect(bundle.errors).toEqual([])
    expect(bundle.nodeBuiltins).toEqual([])
    expect(bundle.external).toEqual([])
    expect(HEAVY_PACKAGES.filter((p) => bundle.packages.has(p))).toEqual([])
    // the browser condition picked the pure-JS platform, not node:crypto's
    expect(bundle.inputs.some((i) => i.endsWith('settlement/src/platform/browser.ts'))).toBe(true)
    expect(bundle.inputs.some((i) => i.endsWith('settlement/src/platform/node.ts'))).toBe(false)
    expect(bundle.inputs.some((i) => i.endsWith('protocol/src/platform/browser.ts'))).toBe(true)
    expect(bundle.packages.has('@noble/curves')).toBe(true)
  })

  it('keeps the devnet and the Node-only entry out of it, and finds them when bundled on purpose', async () => {
    const bundle = await browserBundle(fileURLToPath(new URL('../../src/index.ts', import.meta.url)))
    expect(bundle.inputs.filter((i) => /settlement\/src\/(devnet|node)\.ts$|chain\/devnet/.test(i))).toEqual(
      [],
    )
    // the check itself can fail: the Node-only entry does not bundle for a browser
    const node = await browserBundle(fileURLToPath(new URL('../../src/node.ts', import.meta.url)))
    expect(node.errors.join('\n')).toMatch(/node:/)
  })
})
