import { FrameWriter } from '@cocoon-mesh/client/internal'
import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { RelayBudgetExceededError } from '../../src/jobs/errors.js'
import { relayedJobVerdict, relayFrameBudget } from '../../src/jobs/relayed.js'

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

  it('a relayed job writes up to its byte budget, and the write past it throws RelayBudgetExceededError', async () => {
    const [outbound, inbound] = await streamPair()
    const frame = { cancel: { jobId: 'job-1' } }
    const writer = new FrameWriter(outbound, { budget: relayFrameBudget(40) })
    let written = 0
    let caught: unknown
    while (caught === undefined && written < 10)
      await writer.write(frame).then(
        () => written++,
        (error: unknown) => (caught = error),
      )
    expect(caught).toBeInstanceOf(RelayBudgetExceededError)
    expect(written).toBeGreaterThan(0)
    outbound.abort(new Error('test over'))
    inbound.abort(new Error('test over'))
  })
})
