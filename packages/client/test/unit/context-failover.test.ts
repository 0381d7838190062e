/**
 * A credible context-limit claim is true of that provider's model only: the
 * job fails over to the next provider, and ends with the claim only when no
 * provider is left. Otherwise a provider whose offer states no context size
 * could end any job by claiming a tiny one.
 */
import { JobErrorCode } from '@cocoon-mesh/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../../test-support/manual-clock.js'
import { ContextLengthExceededError, FrameWriter, readFrames, runLlmJob } from '../../src/internal.js'
import {
  consume,
  honest,
  scriptedOffer as offer,
  type Script,
  START,
  scriptedProviders,
  ZERO,
} from '../fixtures/scripted-providers.js'

const { context, close } = scriptedProviders()
afterEach(() => close())

/** Refuses every prompt as over a 16-token context, counting 12 prompt tokens (within what was sent). */
const tinyContext: Script = async (stream) => {
  const frames = readFrames(stream)[Symbol.asyncIterator]()
  const { value } = await frames.next()
  const jobId = value?.request?.jobId ?? ''
  await new FrameWriter(stream).write({
    error: {
      jobId,
      code: JobErrorCode.JOB_ERROR_CODE_BAD_INPUT,
      message: 'prompt over the context',
      contextLimit: { contextSize: 16, promptTokens: 12, maxTokens: 8 },
    },
  })
}

const job = (providers: Array<{ offer: ReturnType<typeof offer>; script: Script }>) =>
  runLlmJob(context(new ManualClock(START), providers, []), {
    model: 'tiny',
    prompt: 'a prompt of a dozen tokens or so, well within any real context',
    maxTokens: 8,
  })

describe('a context-limit claim', () => {
  it('moves the job to the next provider instead of ending it', async () => {
    const running = job([
      { offer: offer(1, 0n), script: tinyContext },
      { offer: offer(2, 1n), script: honest(ZERO) },
    ])
    const out = consume(running)
    await out.done
    const usage = await running.usage
    expect(usage.parts.map((p) => p.outcome)).toEqual(['failed', 'completed'])
    expect(out.tokens()).toBe(8)
  })

  it('ends the job with ContextLengthExceededError once every provider made it', async () => {
    const running = job([
      { offer: offer(1, 0n), script: tinyContext },
      { offer: offer(2, 1n), script: tinyContext },
    ])
    const out = consume(running)
    await expect(out.done).rejects.toBeInstanceOf(ContextLengthExceededError)
    await expect(running.usage).rejects.toMatchObject({ contextSize: 16, promptTokens: 12, maxTokens: 8 })
  })
})
