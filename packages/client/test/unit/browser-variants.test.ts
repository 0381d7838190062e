/**
 * The browser variants behind the package's `imports` conditions, run in
 * Node against their Node counterparts: same hashes, the same tensor bytes
 * and digest, no trust believed without a verifier, and the dial policy for
 * local and public meshes.
 */
import { TrustTier } from '@cocoon-mesh/protocol'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { testOffer } from '../../../../test-support/offers.js'
import * as browserSha from '../../src/hash/sha-browser.js'
import * as nodeSha from '../../src/hash/sha-node.js'
import { tensorOffload } from '../../src/jobs/tensor-offload-browser.js'
import { DIAL_ANY_GATER, localMesh } from '../../src/peer/dial-policy.js'
import { peerConnectionGater as browserGater } from '../../src/peer/transports-browser.js'
import { peerConnectionGater as nodeGater } from '../../src/peer/transports-node.js'
import { attestationTrust } from '../../src/services/attestation-trust-browser.js'

const bytes = (n: number): Uint8Array<ArrayBuffer> =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff)
const PEER = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'

describe('browser hashes', () => {
  it('equal the Node ones: sha256 whole and incremental, sha1 in base64', () => {
    for (const n of [0, 1, 55, 64, 1000, 70_000]) {
      const data = bytes(n)
      expect(browserSha.sha256(data)).toEqual(nodeSha.sha256(data))
      const a = browserSha.createSha256()
      const b = nodeSha.createSha256()
      a.update(data.subarray(0, n >> 1))
      a.update(data.subarray(n >> 1))
      b.update(data)
      expect(a.digest()).toEqual(b.digest())
      expect(browserSha.sha1Base64(data)).toBe(nodeSha.sha1Base64(data))
    }
  })
})

describe('browser tensor offload', () => {
  it('reassembles the parts in order and digests them as sha256', async () => {
    const data = bytes(10_000)
    const tensor = tensorOffload().open(data.byteLength)
    tensor.write([data.subarray(0, 3000), data.subarray(3000, 3001)], 3001)
    tensor.write([data.subarray(3001)], data.byteLength - 3001)
    const done = await tensor.finish()
    expect(done.data).toEqual(data)
    expect(done.digest).toEqual(nodeSha.sha256(data))
  })
})

describe('browser trust verifier', () => {
  it('never gives the attested tier: evidence it cannot check is open, unsupported-tee', async () => {
    const verifier = attestationTrust({ policy: { allowedMeasurements: [] } })
    const claimed = testOffer(1, 10n, { trustTier: TrustTier.TRUST_TIER_ATTESTED, attestation: bytes(64) })
    expect(await verifier.assess(claimed, 0)).toMatchObject({
      tier: TrustTier.TRUST_TIER_OPEN,
      reason: 'unsupported-tee',
      claimed: TrustTier.TRUST_TIER_ATTESTED,
    })
    expect(await verifier.assess(testOffer(2, 10n), 0)).toMatchObject({
      tier: TrustTier.TRUST_TIER_OPEN,
      reason: 'no-evidence',
    })
  })
})

describe('dial policy', () => {
  const loopback = `/ip4/127.0.0.1/tcp/4002/ws/p2p/${PEER}`
  const lan = `/ip4/192.168.1.20/tcp/4002/ws/p2p/${PEER}`
  const publicNode = `/dns4/mesh.example.org/tcp/443/wss/p2p/${PEER}`

  it('a mesh is local when every bootstrap address is private or loopback', () => {
    expect(localMesh([loopback, lan])).toBe(true)
    expect(localMesh([loopback, publicNode])).toBe(false)
    expect(localMesh([])).toBe(false)
  })

  it('a browser dials any address of a local mesh and keeps libp2p default for a public one, unless told', async () => {
    expect(browserGater({ bootstrap: [loopback] })).toBe(DIAL_ANY_GATER)
    expect(await DIAL_ANY_GATER.denyDialMultiaddr?.(multiaddr(lan))).toBe(false)
    expect(browserGater({ bootstrap: [publicNode] })).toBeUndefined()
    expect(browserGater({ bootstrap: [publicNode], allowPrivateAddresses: true })).toBe(DIAL_ANY_GATER)
    expect(browserGater({ bootstrap: [loopback], allowPrivateAddresses: false })).toBeUndefined()
  })

  it('Node dials any address unless private addresses are refused', async () => {
    expect(nodeGater({ bootstrap: [publicNode] })).toBeUndefined()
    const deny = nodeGater({ bootstrap: [], allowPrivateAddresses: false })
    expect(await deny?.denyDialMultiaddr?.(multiaddr(lan))).toBe(true)
    expect(await deny?.denyDialMultiaddr?.(multiaddr('/ip4/8.8.8.8/tcp/443/wss'))).toBe(false)
  })
})
