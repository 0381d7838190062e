import { randomBytes } from 'node:crypto'
import { Address } from '@ton/core'
import { keyPairFromSeed, sign as naclSign } from '@ton/crypto'
import { describe, expect, it } from 'vitest'
import { recordingLogger } from '../../../../test-support/recording-logger.ts'
import {
  type Ed25519Backend,
  ed25519Backend,
  type SodiumEd25519,
  selectEd25519Backend,
  sodiumEd25519,
} from '../../src/voucher/ed25519.js'
import { nobleEd25519 } from '../../src/voucher/ed25519-noble.js'
import { loadSodiumNative, nodeCryptoEd25519 } from '../../src/voucher/ed25519-node.js'
import { signingKeyFromSeed } from '../../src/voucher/keys.js'
import { signVoucher, verifyVoucher } from '../../src/voucher/voucher.js'

const sodium = loadSodiumNative()
const channel = new Address(0, randomBytes(32)).toRawString()

describe('ed25519 backends', () => {
  it('sodium-native loads here (an optional peer dependency, a dev dependency of this package)', () => {
    // when this fails the bench silently measures node:crypto only: reinstall with optional deps
    expect(sodium).toBeDefined()
  })

  it('give byte-identical signatures (also tweetnacl) and verify each other', () => {
    if (sodium === undefined) throw new Error('sodium-native did not load')
    const libsodium = sodiumEd25519(sodium)
    for (let i = 0; i < 50; i++) {
      const seed = randomBytes(32)
      const key = signingKeyFromSeed(seed)
      const message = randomBytes(i === 0 ? 0 : 1 + (i % 40))
      const a = nodeCryptoEd25519.sign(message, key)
      const b = libsodium.sign(message, key)
      expect(a).toBeInstanceOf(Uint8Array)
      expect(b).toBeInstanceOf(Uint8Array)
      expect(Buffer.from(a)).toEqual(Buffer.from(b))
      expect(Buffer.from(b)).toEqual(naclSign(message, keyPairFromSeed(seed).secretKey))
      expect(libsodium.verify(message, a, key.publicKey)).toBe(true)
      expect(nodeCryptoEd25519.verify(message, b, key.publicKey)).toBe(true)
      const tampered = Uint8Array.from(b)
      tampered[i % 64] = (tampered[i % 64] ?? 0) ^ 1
      expect(libsodium.verify(message, tampered, key.publicKey)).toBe(false)
      expect(nodeCryptoEd25519.verify(message, tampered, key.publicKey)).toBe(false)
    }
  })

  it('vouchers signed with one backend verify with the other', () => {
    if (sodium === undefined) throw new Error('sodium-native did not load')
    const libsodium = sodiumEd25519(sodium)
    const key = signingKeyFromSeed(randomBytes(32))
    for (const [signer, verifier] of [
      [libsodium, nodeCryptoEd25519],
      [nodeCryptoEd25519, libsodium],
      [nobleEd25519, libsodium],
      [nodeCryptoEd25519, nobleEd25519],
    ] as const) {
      const v = signVoucher({ key, channel, amount: 123_456_789n, jobId: 'j', ed25519: signer })
      expect(verifyVoucher({ voucher: v, clientKey: key.publicKey, ed25519: verifier }).amount).toBe(
        123_456_789n,
      )
      expect(() =>
        verifyVoucher({ voucher: { ...v, amount: 1n }, clientKey: key.publicKey, ed25519: verifier }),
      ).toThrow(expect.objectContaining({ code: 'ERR_VOUCHER_SIGNATURE' }))
    }
  })

  it('all refuse malleated (S + L) signatures and a small-order key with a trivial signature', () => {
    if (sodium === undefined) throw new Error('sodium-native did not load')
    const backends = [nodeCryptoEd25519, sodiumEd25519(sodium), nobleEd25519]
    const L = (1n << 252n) + 27742317777372353535851937790883648493n
    const key = signingKeyFromSeed(randomBytes(32))
    let checked = 0
    while (checked < 10) {
      const message = randomBytes(32)
      const signature = nodeCryptoEd25519.sign(message, key)
      const s = BigInt(`0x${Buffer.from(signature.subarray(32)).reverse().toString('hex')}`) + L
      if (s >= 1n << 256n) continue
      const malleated = Uint8Array.from(signature)
      malleated.set(Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse(), 32)
      for (const b of backends) {
        expect(b.verify(message, signature, key.publicKey)).toBe(true)
        expect(b.verify(message, malleated, key.publicKey)).toBe(false)
      }
      checked++
    }
    const identity = new Uint8Array(32)
    identity[0] = 1 // the neutral point: every "signature" R = identity, S = 0 would satisfy a lax verifier
    const trivial = new Uint8Array(64)
    trivial[0] = 1
    for (const b of backends) expect(b.verify(randomBytes(32), trivial, identity)).toBe(false)
  })

  it('wrong-length keys and signatures get typed errors with every backend', () => {
    const key = signingKeyFromSeed(randomBytes(32))
    const backends: Ed25519Backend[] = [
      nodeCryptoEd25519,
      nobleEd25519,
      ...(sodium === undefined ? [] : [sodiumEd25519(sodium)]),
    ]
    expect(backends.length).toBe(3)
    for (const ed25519 of backends) {
      const v = signVoucher({ key, channel, amount: 5n, jobId: 'j', ed25519 })
      for (const signature of [new Uint8Array(0), new Uint8Array(63), new Uint8Array(65)])
        expect(() =>
          verifyVoucher({ voucher: { ...v, signature }, clientKey: key.publicKey, ed25519 }),
        ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_VOUCHER' }))
      for (const clientKey of [new Uint8Array(0), new Uint8Array(31), new Uint8Array(33)])
        expect(() => verifyVoucher({ voucher: v, clientKey, ed25519 })).toThrow(
          expect.objectContaining({ code: 'ERR_INVALID_SETTLEMENT_INPUT' }),
        )
    }
    for (const seed of [new Uint8Array(31), new Uint8Array(64)])
      expect(() => signingKeyFromSeed(seed)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_SETTLEMENT_INPUT' }),
      )
  })
})

describe('ed25519 backend selection', () => {
  const fake: SodiumEd25519 = {
    crypto_sign_detached: () => {},
    crypto_sign_verify_detached: () => false,
  }
  let loads = 0
  const loader = () => {
    loads++
    return fake
  }

  it('picks sodium-native when it loads, node:crypto when it does not', () => {
    expect(selectEd25519Backend({ env: {}, loadSodium: loader }).name).toBe('sodium-native')
    expect(selectEd25519Backend({ env: {}, loadSodium: () => undefined }).name).toBe('node:crypto')
    expect(selectEd25519Backend({ prefer: 'sodium', loadSodium: () => undefined }).name).toBe('node:crypto')
  })

  it('COCOON_ED25519=node forces node:crypto without loading sodium-native', () => {
    loads = 0
    expect(selectEd25519Backend({ env: { COCOON_ED25519: 'node' }, loadSodium: loader }).name).toBe(
      'node:crypto',
    )
    expect(selectEd25519Backend({ prefer: 'node', loadSodium: loader }).name).toBe('node:crypto')
    expect(loads).toBe(0)
    expect(selectEd25519Backend({ env: { COCOON_ED25519: 'sodium' }, loadSodium: loader }).name).toBe(
      'sodium-native',
    )
    expect(selectEd25519Backend({ env: { COCOON_ED25519: 'auto' }, loadSodium: loader }).name).toBe(
      'sodium-native',
    )
    // an unknown value is auto, not a crash
    expect(selectEd25519Backend({ env: { COCOON_ED25519: 'bogus' }, loadSodium: loader }).name).toBe(
      'sodium-native',
    )
  })

  it('COCOON_ED25519=noble picks @noble/curves without loading sodium-native', () => {
    loads = 0
    expect(selectEd25519Backend({ env: { COCOON_ED25519: 'noble' }, loadSodium: loader }).name).toBe(
      '@noble/curves',
    )
    expect(selectEd25519Backend({ prefer: 'noble', loadSodium: loader }).name).toBe('@noble/curves')
    expect(loads).toBe(0)
  })

  it('logs an unknown COCOON_ED25519 through the logger it was given', () => {
    const { logger, lines } = recordingLogger()
    selectEd25519Backend({ env: { COCOON_ED25519: 'bogus' }, loadSodium: loader, logger })
    expect(lines).toEqual([
      {
        component: 'cocoon:settlement:ed25519',
        format: 'ignoring COCOON_ED25519=%s (expected node, sodium, noble or auto)',
      },
    ])
  })

  it('the process-wide default follows the environment and the real loader', () => {
    const env = process.env.COCOON_ED25519
    const expected =
      env === 'noble'
        ? '@noble/curves'
        : env === 'node' || sodium === undefined
          ? 'node:crypto'
          : 'sodium-native'
    expect(ed25519Backend().name).toBe(expected)
    expect(ed25519Backend()).toBe(ed25519Backend())
  })
})
