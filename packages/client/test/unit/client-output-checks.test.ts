/**
 * The client checks what a provider streams against the job it sent: a tool
 * call must name a tool the job offered, with arguments that parse; a stop
 * string ends the output before it. A provider that breaks either is recorded
 * as failed and the job fails over.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../test-support/manual-clock.js'
import { testOffer } from '../../../../test-support/offers.js'
import { runLlmJob } from '../../src/internal.js'
import {
  consume,
  honest,
  scriptedOffer as offer,
  type Script,
  type Seen,
  START,
  script,
  scriptedProviders,
  ZERO,
} from '../fixtures/scripted-providers.js'

const { context, close } = scriptedProviders()
afterEach(() => close())

describe('the client checks tool calls', () => {
  it('fails over from a provider whose tool call names a tool the job did not offer', async () => {
    const clock = new ManualClock(START)
    const callWith = (name: string, args: string): Script =>
      script(ZERO, async (writer, request) => {
        await writer.write({ tokenChunk: { text: '{}', tokens: 1, totalTokens: 1 } })
        const usage = {
          promptTokens: 1,
          cachedTokens: 0,
          completionTokens: 1,
          reasoningTokens: 0,
          gflop: 0,
          cost: 0n,
        }
        await writer.write({
          result: {
            jobId: request.jobId,
            usage,
            backend: 'fake',
            finishReason: 'tool_calls',
            toolCalls: [{ id: 'c1', name, arguments: args }],
          },
        })
      })
    const liar = {
      offer: testOffer(1, 0n, { features: ['tools'] }),
      seen: { requests: [], frames: [] } as Seen,
      script: callWith('rm_rf', '{}'),
    }
    const garbled = {
      offer: testOffer(2, 0n, { features: ['tools'] }),
      seen: { requests: [], frames: [] } as Seen,
      script: callWith('get_weather', '{oops'),
    }
    const good = {
      offer: testOffer(3, 1n, { features: ['tools'] }),
      seen: { requests: [], frames: [] } as Seen,
      script: callWith('get_weather', '{"city":"oslo"}'),
    }
    // a provider that offers no tools is never asked
    const plain = { offer: offer(4, 0n), seen: { requests: [], frames: [] } as Seen, script: honest(ZERO) }
    const ctx = context(clock, [plain, liar, garbled, good], [])
    const job = runLlmJob(ctx, {
      model: 'tiny',
      messages: [{ role: 'user', content: 'weather?' }],
      maxTokens: 8,
      tools: [{ name: 'get_weather' }],
      toolChoice: 'required',
    })
    await consume(job).done
    const usage = await job.usage
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed', 'failed', 'completed'])
    expect(usage.parts[0]?.error).toContain('ERR_MALFORMED_TOOL_CALL')
    expect(usage.toolCalls).toEqual([{ id: 'c1', name: 'get_weather', arguments: '{"city":"oslo"}' }])
    expect(usage.finishReason).toBe('tool_calls')
    // the request carried the tools and the choice to every provider
    expect(liar.seen.requests[0]?.llm).toMatchObject({
      tools: [{ name: 'get_weather' }],
      toolChoice: 'required',
    })
  })
})

describe('the client checks stop strings', () => {
  const streaming = (pieces: string[]): Script =>
    script(ZERO, async (writer, request) => {
      let sent = 0
      for (const text of pieces) {
        sent++
        await writer.write({ tokenChunk: { text, tokens: 1, totalTokens: sent } })
      }
      const usage = {
        promptTokens: 1,
        cachedTokens: 0,
        completionTokens: sent,
        reasoningTokens: 0,
        gflop: 0,
        cost: 0n,
      }
      await writer.write({
        result: { jobId: request.jobId, usage, backend: 'fake', finishReason: 'stop', toolCalls: [] },
      })
    })
  const provider = (seed: number, pieces: string[]) => ({
    offer: testOffer(seed, 0n, { features: ['stop'] }),
    seen: { requests: [], frames: [] } as Seen,
    script: streaming(pieces),
  })

  it('ends the job before a stop string a provider streamed and records the provider as failed', async () => {
    const liar = provider(1, ['Hel', 'lo S', 'TOP', ' and more'])
    const job = runLlmJob(context(new ManualClock(START), [liar], []), {
      model: 'tiny',
      prompt: 'hi',
      maxTokens: 8,
      stop: ['STOP'],
    })
    const run = consume(job)
    await run.done
    const usage = await job.usage
    expect(run.text()).toBe('Hello ')
    expect(usage.finishReason).toBe('stop')
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed'])
    expect(usage.parts[0]?.error).toContain('ERR_STOP_IGNORED')
    expect(liar.seen.requests[0]?.llm?.stop).toEqual(['STOP'])
  })

  it('passes an honest stream through whole, the held-back tail included', async () => {
    const honestOne = provider(2, ['ab', 'c'])
    const job = runLlmJob(context(new ManualClock(START), [honestOne], []), {
      model: 'tiny',
      prompt: 'hi',
      maxTokens: 8,
      stop: ['cd'],
    })
    const run = consume(job)
    await run.done
    expect(run.text()).toBe('abc')
    expect((await job.usage).parts.map((p) => p.outcome)).toEqual(['completed'])
  })
})
