import { describe, expect, it } from 'vitest'
import { relayedJobVerdict } from '../../src/jobs/relayed.js'

const POLICY = { enabled: true, maxBytes: 4096, maxDurationMs: 60_000 }

describe('jobs over relayed connections', () => {
  it('a direct connection is not relayed, whatever the policy', () => {
    expect(relayedJobVerdict({}, undefined)).toEqual({ relayed: false })
    expect(relayedJobVerdict({}, { ...POLICY, enabled: false })).toEqual({ relayed: false })
  })

  it('a relayed connection is refused unless the operator opted in', () => {
    const limited = { limits: { bytes: 131_072n, seconds: 120 } }
    expect(relayedJobVerdict(limited, undefined)).toEqual({ relayed: true, allowed: false })
    expect(relayedJobVerdict(limited, { ...POLICY, enabled: false })).toEqual({
      relayed: true,
      allowed: false,
    })
  })

  it("an allowed relayed job gets the tighter of the operator's and the relay's limits", () => {
    expect(relayedJobVerdict({ limits: { bytes: 131_072n, seconds: 120 } }, POLICY)).toEqual({
      relayed: true,
      allowed: true,
      maxBytes: 4096,
      maxDurationMs: 60_000,
    })
    expect(relayedJobVerdict({ limits: { bytes: 1000n, seconds: 5 } }, POLICY)).toEqual({
      relayed: true,
      allowed: true,
      maxBytes: 1000,
      maxDurationMs: 5000,
    })
    // a relay without limits leaves the operator's
    expect(relayedJobVerdict({ limits: {} }, POLICY)).toMatchObject({ maxBytes: 4096, maxDurationMs: 60_000 })
  })
})
