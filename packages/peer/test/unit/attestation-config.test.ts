import { describe, expect, it } from 'vitest'
import { DEFAULT_CONFIG, MalformedConfigError, parseConfig } from '../../src/home/index.js'

describe('config: the attestation section', () => {
  it('defaults to a policy that lets nobody be attested (no measurement allowed, UpToDate only)', () => {
    const c = parseConfig('{}')
    expect(c.attestation).toEqual(DEFAULT_CONFIG.attestation)
    expect(c.attestation.allowedMeasurements).toEqual([])
    expect(c.attestation.allowedTcbStatuses).toEqual(['UpToDate'])
    expect(c.attestation.attestedPrices).toBeUndefined()
  })

  it('reads measurement rules (hex, lowercased), statuses, paths and the attested prices', () => {
    const c = parseConfig(`{ "attestation": {
      "allowedMeasurements": [{ "name": "r1", "mrTd": "AB01", "rtMr3": "ff" }],
      "allowedTcbStatuses": ["UpToDate", "OutOfDate"],
      "trustedRootCa": "test-root.der", "tsmRoot": "/tmp/tsm", "pccsUrl": "http://127.0.0.1:1/",
      "nvidiaKeys": ["nv.jwk"], "nvidiaTokenFile": "gpu.jwt",
      "attestedPrices": { "perKPromptTokens": "3", "perKCompletionTokens": 4, "perTensorGflop": "5" }
    } }`)
    expect(c.attestation.allowedMeasurements).toEqual([{ name: 'r1', mrTd: 'ab01', rtMr3: 'ff' }])
    expect(c.attestation.allowedTcbStatuses).toEqual(['UpToDate', 'OutOfDate'])
    expect(c.attestation.tsmRoot).toBe('/tmp/tsm')
    expect(c.attestation.attestedPrices).toEqual({
      perKPromptTokens: 3n,
      perKCompletionTokens: 4n,
      perTensorGflop: 5n,
    })
    expect(
      parseConfig('{ "attestation": { "allowedMeasurements": "any" } }').attestation.allowedMeasurements,
    ).toBe('any')
  })

  it('names the field and what it expects for bad values', () => {
    const bad =
      (attestation: string): (() => unknown) =>
      () =>
        parseConfig(`{ "attestation": ${attestation} }`)
    expect(bad('[]')).toThrow(MalformedConfigError)
    expect(bad('{ "allowedMeasurements": [{ "mrTd": "xyz" }] }')).toThrow(/allowedMeasurements\[0\]\.mrTd/)
    expect(bad('{ "allowedMeasurements": [{ "name": "nothing" }] }')).toThrow(/allowedMeasurements\[0\]/)
    expect(bad('{ "allowedMeasurements": "all" }')).toThrow(/allowedMeasurements/)
    expect(bad('{ "allowedTcbStatuses": ["Fine"] }')).toThrow(/allowedTcbStatuses/)
    expect(bad('{ "attestedPrices": { "perKPromptTokens": "1" } }')).toThrow(
      /attestedPrices\.perKCompletionTokens/,
    )
    expect(bad('{ "tsmRoot": 7 }')).toThrow(/attestation\.tsmRoot/)
  })
})
