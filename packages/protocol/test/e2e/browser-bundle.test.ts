import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { browserBundle, HEAVY_PACKAGES } from '../../../../test-support/browser-bundle.ts'

// e2e, not unit: esbuild's JS API runs the esbuild binary as a child process
describe('the root entry of @cocoon-mesh/protocol in a browser bundle', () => {
  it('bundles with no Node builtin and no native or heavy package, on the browser hashes', async () => {
    const bundle = await browserBundle(fileURLToPath(new URL('../../src/index.ts', import.meta.url)))
    expect(bundle.errors).toEqual([])
    expect(bundle.nodeBuiltins).toEqual([])
    expect(bundle.external).toEqual([])
    expect(HEAVY_PACKAGES.filter((p) => bundle.packages.has(p))).toEqual([])
    expect(bundle.inputs.some((i) => i.endsWith('protocol/src/platform/browser.ts'))).toBe(true)
    expect(bundle.inputs.some((i) => i.endsWith('protocol/src/platform/node.ts'))).toBe(false)
  })
})
