/**
 * The app surface in a web page: the root entry bundles for the browser with
 * no Node builtin, no native or heavy package and none of the Node-only
 * modules that sit behind the package's `imports` conditions.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { browserBundle, HEAVY_PACKAGES } from '../../../../test-support/browser-bundle.ts'

/** Node-only sources of this package and its workspace dependencies, each replaced in browsers. */
const NODE_ONLY_SOURCES = [
  'client/src/peer/transports-node.ts',
  'client/src/peer/noise-crypto.ts',
  'client/src/jobs/tensor-offload.ts',
  'client/src/jobs/tensor-worker.ts',
  'client/src/services/attestation-trust.ts',
  'client/src/hash/sha-node.ts',
  'client/src/sdk/channel-payments.ts',
  'attestation/src/verify.ts',
]

/** What stands in for them. */
const BROWSER_SOURCES = [
  'client/src/peer/transports-browser.ts',
  'client/src/peer/noise-crypto-browser.ts',
  'client/src/jobs/tensor-offload-browser.ts',
  'client/src/services/attestation-trust-browser.ts',
  'client/src/hash/sha-browser.ts',
  'client/src/sdk/channel-payments-browser.ts',
]

// e2e, not unit: esbuild's JS API runs the esbuild binary as a child process
describe('the root entry of @cocoon-mesh/client in a browser bundle', () => {
  it('bundles with no Node builtin, no heavy package and the browser variants of the Node-only modules', async () => {
    const bundle = await browserBundle(fileURLToPath(new URL('../../src/index.ts', import.meta.url)))
    expect(bundle.errors).toEqual([])
    expect(bundle.nodeBuiltins).toEqual([])
    expect(bundle.external).toEqual([])
    expect(HEAVY_PACKAGES.filter((p) => bundle.packages.has(p))).toEqual([])
    expect(['@libp2p/tcp', '@cocoon-mesh/gpu-runtime'].filter((p) => bundle.packages.has(p))).toEqual([])
    expect(NODE_ONLY_SOURCES.filter((s) => bundle.inputs.some((i) => i.endsWith(s)))).toEqual([])
    expect(BROWSER_SOURCES.filter((s) => !bundle.inputs.some((i) => i.endsWith(s)))).toEqual([])
  })
})
