import { randomBytes as nodeRandom } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as browser from '../../src/platform/browser.ts'
import * as node from '../../src/platform/node.ts'
import { nobleEd25519 } from '../../src/voucher/ed25519-noble.ts'
import { nodeCryptoEd25519 } from '../../src/voucher/ed25519-node.ts'

// the browser module must offer what the node one does, with the same types
const sameExports: typeof node = browser
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))

/** RFC 8032 section 7.1, tests 1 and 2: seed, public key, message, signature. */
const RFC8032 = [
  {
    seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
]

/** The group order L of ed25519, little-endian, to build a non-canonical S = S + L. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n

function withNonCanonicalS(signature: Uint8Array): Uint8Array {
  let s = 0n
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(signature[i] as number)
  let big = s + L
  const out = Uint8Array.from(signature)
  for (let i = 32; i < 64; i++) {
    out[i] = Number(big & 0xffn)
    big >>= 8n
  }
  return out
}

describe('browser platform backends against the Node ones', () => {
  it('exports the same names', () => {
    expect(Object.keys(sameExports).sort()).toEqual(Object.keys(node).sort())
  })

  it('derive keys and sign the RFC 8032 vectors byte for byte', () => {
    for (const v of RFC8032) {
      for (const platform of [node, browser]) {
        const key = platform.signingKeyOfSeed(bytes(v.seed))
        expect(hex(key.publicKey)).toBe(v.publicKey)
        expect(hex(key.secretKey)).toBe(v.seed + v.publicKey)
        expect(hex(platform.platformEd25519.sign(bytes(v.message), key))).toBe(v.signature)
        expect(platform.platformEd25519.verify(bytes(v.message), bytes(v.signature), key.publicKey)).toBe(
          true,
        )
      }
    }
  })

  it('sign random messages identically and accept each other, with keys from either platform', () => {
    for (let i = 0; i < 50; i++) {
      const seed = Uint8Array.from(nodeRandom(32))
      const message = Uint8Array.from(nodeRandom(i * 7))
      const nodeKey = node.signingKeyOfSeed(seed)
      const browserKey = browser.signingKeyOfSeed(seed)
      expect(hex(browserKey.secretKey)).toBe(hex(nodeKey.secretKey))
      const a = nodeCryptoEd25519.sign(message, browserKey)
      const b = nobleEd25519.sign(message, nodeKey)
      expect(hex(b)).toBe(hex(a))
      expect(nobleEd25519.verify(message, a, nodeKey.publicKey)).toBe(true)
      expect(nodeCryptoEd25519.verify(message, b, browserKey.publicKey)).toBe(true)
      const tampered = Uint8Array.from(a)
      tampered[i % 64] = (tampered[i % 64] as number) ^ 1
      expect(nobleEd25519.verify(message, tampered, nodeKey.publicKey)).toBe(false)
      expect(nodeCryptoEd25519.verify(message, tampered, nodeKey.publicKey)).toBe(false)
    }
  })

  it('refuse the same non-canonical signature (S + L) as node:crypto', () => {
    const key = node.signingKeyOfSeed(Uint8Array.from(nodeRandom(32)))
    const message = Uint8Array.from(nodeRandom(40))
    const malleated = withNonCanonicalS(nodeCryptoEd25519.sign(message, key))
    expect(nodeCryptoEd25519.verify(message, malleated, key.publicKey)).toBe(false)
    expect(nobleEd25519.verify(message, malleated, key.publicKey)).toBe(false)
  })

  it('hash SHA-256 identically (FIPS 180-2 "abc" and random lengths)', () => {
    const abc = new TextEncoder().encode('abc')
    const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
    expect(hex(node.sha256(abc))).toBe(expected)
    expect(hex(browser.sha256(abc))).toBe(expected)
    for (const n of [0, 1, 55, 56, 63, 64, 65, 1000, 100_000]) {
      const data = Uint8Array.from(nodeRandom(n))
      expect(hex(browser.sha256(data))).toBe(hex(node.sha256(data)))
    }
  })

  it('draw random bytes from getRandomValues, also past its 65536-byte limit per call', () => {
    for (const n of [0, 8, 65_536, 70_000]) {
      const a = browser.randomBytes(n)
      expect(a.byteLength).toBe(n)
      if (n >= 8) expect(hex(a)).not.toBe(hex(browser.randomBytes(n)))
    }
    expect(hex(browser.randomBytes(70_000).subarray(65_536))).not.toBe('00'.repeat(70_000 - 65_536))
  })

  it('read no environment in a browser and no sodium-native', () => {
    expect(browser.processEnv()).toEqual({})
    expect(browser.loadSodium()).toBeUndefined()
  })
})
