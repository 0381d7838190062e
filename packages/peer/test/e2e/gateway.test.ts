import {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  createLightPeer,
  InvalidJobError,
  JobFailedError,
  NoProviderError,
} from '@cocoon-mesh/client/internal'
import {
  AbortedError,
  DeadlineExceededError,
  JobErrorCode,
  MalformedMessageError,
  RejectReason,
} from '@cocoon-mesh/protocol'
import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { startGateway, toOpenAiError } from '../../src/gateway/index.js'
import { startProvider } from '../fixtures/mesh.js'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.allSettled(stops.splice(0).map((s) => s()))
})

async function setup() {
  const p = await startProvider(1000n)
  stops.push(() => p.peer.stop())
  const sdk = await createLightPeer({
    gossip: false,
    offerSource: { offers: (m) => (m === 'tiny' ? [p.offer] : []) },
  })
  stops.push(() => sdk.stop())
  await sdk.peer.libp2p.dial(p.addrs)
  const gateway = await startGateway({ generate: (params) => sdk.generate(params), offers: () => [p.offer] })
  stops.push(() => gateway.close())
  const openai = new OpenAI({ baseURL: gateway.url, apiKey: 'unused', maxRetries: 0 })
  return { p, gateway, openai }
}

describe('OpenAI-compatible gateway', () => {
  it('works with the official openai client: models, chat, completions, streaming with usage', async () => {
    const { openai } = await setup()
    const models = await openai.models.list()
    expect(models.data.map((m) => m.id)).toEqual(['tiny'])

    const chat = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
    })
    expect(chat.choices[0]?.message.content).toBe('token-0 token-1 token-2 ')
    expect(chat.usage?.completion_tokens).toBe(3)
    expect(chat.choices[0]?.finish_reason).toBe('length')

    const completion = await openai.completions.create({ model: 'tiny', prompt: 'once', max_tokens: 2 })
    expect(completion.choices[0]?.text).toBe('token-0 token-1 ')

    const stream = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let usage: number | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage.completion_tokens
    }
    expect(text).toBe('token-0 token-1 token-2 token-3 ')
    expect(usage).toBe(4)

    const textStream = await openai.completions.create({
      model: 'tiny',
      prompt: 'x',
      max_tokens: 2,
      stream: true,
    })
    let t = ''
    for await (const chunk of textStream) t += chunk.choices[0]?.text ?? ''
    expect(t).toBe('token-0 token-1 ')
  })

  it('answers bad requests with OpenAI-style errors and statuses', async () => {
    const { openai, gateway } = await setup()
    const unknown = await openai.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError)
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found')

    const bad = await openai.chat.completions.create({ model: 'tiny', messages: [] }).catch((e: unknown) => e)
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError)
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages')

    const notJson = await fetch(`${gateway.url}/chat/completions`, { method: 'POST', body: '{nope' })
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error')

    const wrongMethod = await fetch(`${gateway.url}/completions`)
    expect(wrongMethod.status).toBe(405)
  })
})

describe('toOpenAiError maps job errors by class', () => {
  const body = (message: string, type: string, code: string | null, param: string | null = null) => ({
    error: { message, type, param, code },
  })

  it('404 model_not_found for NoProviderError, with details in the message', () => {
    expect(toOpenAiError(new NoProviderError('no provider', { details: 'empty book' }))).toEqual({
      status: 404,
      body: body('no provider: empty book', 'invalid_request_error', 'model_not_found', 'model'),
    })
  })

  it('402 budget_exceeded for BudgetExceededError', () => {
    expect(toOpenAiError(new BudgetExceededError('over budget'))).toEqual({
      status: 402,
      body: body('over budget', 'insufficient_quota', 'budget_exceeded'),
    })
  })

  it('400 invalid_request for InvalidJobError', () => {
    expect(toOpenAiError(new InvalidJobError('no prompt'))).toEqual({
      status: 400,
      body: body('no prompt', 'invalid_request_error', 'invalid_request'),
    })
  })

  it('503 all_providers_rejected for AllRejectedError', () => {
    const err = new AllRejectedError([
      { providerId: 'p', reason: RejectReason.REJECT_REASON_OVER_CAPACITY, message: 'busy' },
    ])
    expect(toOpenAiError(err)).toEqual({
      status: 503,
      body: body('all 1 matching providers rejected the job', 'server_error', 'all_providers_rejected'),
      retryAfterMs: 1000,
    })
  })

  it('502 all_providers_failed for AllProvidersFailedError', () => {
    expect(toOpenAiError(new AllProvidersFailedError('all failed'))).toEqual({
      status: 502,
      body: body('all failed', 'server_error', 'all_providers_failed'),
    })
  })

  it('504 timeout for DeadlineExceededError', () => {
    expect(toOpenAiError(new DeadlineExceededError('job deadline passed'))).toEqual({
      status: 504,
      body: body('job deadline passed', 'server_error', 'timeout'),
    })
  })

  it('499 aborted for AbortedError', () => {
    expect(toOpenAiError(new AbortedError('aborted'))).toEqual({
      status: 499,
      body: body('aborted', 'server_error', 'aborted'),
    })
  })

  it('400 job_failed for JobFailedError', () => {
    const err = new JobFailedError(JobErrorCode.JOB_ERROR_CODE_BAD_INPUT, 'bad input')
    expect(toOpenAiError(err)).toEqual({
      status: 400,
      body: body('bad input', 'invalid_request_error', 'job_failed'),
    })
  })

  it('500 with its code for any other Cocoon error, a bare 500 for anything else', () => {
    expect(toOpenAiError(new MalformedMessageError('garbage'))).toEqual({
      status: 500,
      body: body('garbage', 'server_error', 'ERR_MALFORMED_MESSAGE'),
    })
    expect(toOpenAiError(new Error('boom'))).toEqual({
      status: 500,
      body: body('boom', 'server_error', null),
    })
    expect(toOpenAiError('boom')).toEqual({ status: 500, body: body('boom', 'server_error', null) })
  })

  it('matches by class, not by a look-alike code', () => {
    const lookAlike = Object.assign(new MalformedMessageError('x'), { code: 'ERR_NO_PROVIDER' })
    expect(toOpenAiError(lookAlike).status).toBe(500)
  })
})
