import { readFileSync } from 'node:fs'
import { Cell } from '@ton/core'
import { describe, expect, it } from 'vitest'
import { compilePaymentChannel } from '../../scripts/compile.ts'
import {
  PAYMENT_CHANNEL_CODE_BOC64,
  PAYMENT_CHANNEL_CODE_HASH,
} from '../../src/contract/payment-channel-code.js'

describe('committed contract code', () => {
  it('matches a fresh compile of payment_channel.tolk with the pinned compiler', async () => {
    const fresh = await compilePaymentChannel()
    const committed = JSON.parse(
      readFileSync(new URL('../../contracts/payment_channel.compiled.json', import.meta.url), 'utf8'),
    ) as { codeHashHex: string; codeBoc64: string; tolkVersion: string }
    expect(fresh.tolkVersion).toBe('1.3.0')
    expect(committed.codeHashHex).toBe(fresh.codeHashHex)
    expect(PAYMENT_CHANNEL_CODE_HASH).toBe(fresh.codeHashHex)
    expect(PAYMENT_CHANNEL_CODE_BOC64).toBe(committed.codeBoc64)
    expect(Cell.fromBase64(PAYMENT_CHANNEL_CODE_BOC64).hash().toString('hex').toUpperCase()).toBe(
      fresh.codeHashHex,
    )
  })
})
