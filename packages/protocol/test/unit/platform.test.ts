import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as browser from '../../src/platform/browser.ts'
import * as node from '../../src/platform/node.ts'

// the browser module must offer what the node one does, with the same types
const sameExports: typeof node = browser
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('browser platform hashes against the Node ones', () => {
  it('exports the same names', () => {
    expect(Object.keys(sameExports).sort()).toEqual(Object.keys(node).sort())
  })

  it('hash the FIPS 180-2 "abc" vector, in one part or several', () => {
    const expected =
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f'
    const abc = new TextEncoder().encode('abc')
    for (const platform of [node, browser]) {
      expect(hex(platform.sha512(abc))).toBe(expected)
      expect(hex(platform.sha512(abc.subarray(0, 1), new Uint8Array(0), abc.subarray(1)))).toBe(expected)
    }
  })

  it('hash random parts identically', () => {
    for (const sizes of [[], [0], [1, 127], [111, 112, 1], [128, 128], [5000, 3, 70_000]]) {
      const parts = sizes.map((n) => Uint8Array.from(randomBytes(n)))
      const digest = browser.sha512(...parts)
      expect(digest.byteLength).toBe(64)
      expect(hex(digest)).toBe(hex(node.sha512(...parts)))
    }
  })
})
