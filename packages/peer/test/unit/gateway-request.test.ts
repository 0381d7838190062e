import { TrustTier } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import type { OpenAiError } from '../../src/gateway/errors.js'
import { PARAMETERS } from '../../src/gateway/parameters.js'
import { type CompletionRequest, parseCompletionRequest } from '../../src/gateway/request.js'

const chat = (extra: Record<string, unknown>) => ({
  model: 'tiny',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
})

function refusal(body: unknown, endpoint: 'chat' | 'completion' = 'chat'): OpenAiError['body']['error'] {
  const parsed = parseCompletionRequest(body, endpoint)
  if (!('status' in parsed)) throw new Error(`expected a 400, got ${JSON.stringify(parsed)}`)
  expect(parsed.status).toBe(400)
  expect(parsed.body.error.type).toBe('invalid_request_error')
  return parsed.body.error
}

function accepted(body: unknown, endpoint: 'chat' | 'completion' = 'chat'): CompletionRequest {
  const parsed = parseCompletionRequest(body, endpoint)
  if ('status' in parsed) throw new Error(`expected a request, got ${JSON.stringify(parsed.body)}`)
  return parsed
}

describe('parseCompletionRequest: every parameter honoured or refused', () => {
  it('maps the honoured parameters onto the request', () => {
    expect(
      accepted(
        chat({
          max_completion_tokens: 7,
          temperature: 0.5,
          seed: 42,
          user: 'u-1',
          max_price: '1000',
          min_trust_tier: 'verified',
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    ).toEqual({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      includeUsage: true,
      maxTokens: 7,
      temperature: 0.5,
      seed: 42,
      user: 'u-1',
      maxPrice: 1000n,
      minTrustTier: TrustTier.TRUST_TIER_VERIFIED,
    })
    expect(accepted({ model: 'tiny', prompt: ['once'], max_tokens: 3 }, 'completion')).toMatchObject({
      prompt: 'once',
      maxTokens: 3,
    })
  })

  it('maps stop, sampling, response_format and tools onto the request', () => {
    const r = accepted(
      chat({
        stop: 'END',
        top_p: 0.9,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', description: 'd', parameters: { type: 'object' } },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      }),
    )
    expect(r).toMatchObject({
      stop: ['END'],
      topP: 0.9,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      tools: [{ name: 'get_weather', description: 'd', parameters: { type: 'object' } }],
      toolChoice: { name: 'get_weather' },
    })
    const schema = { type: 'object', properties: { a: { type: 'integer' } } }
    expect(
      accepted(
        chat({ response_format: { type: 'json_schema', json_schema: { name: 's', schema, strict: true } } }),
      ).responseFormat,
    ).toEqual({ type: 'json_schema', schema })
    expect(accepted(chat({ response_format: { type: 'json_object' } })).responseFormat).toEqual({
      type: 'json_object',
    })
    expect(accepted({ model: 'tiny', prompt: 'x', stop: ['a', 'b'] }, 'completion').stop).toEqual(['a', 'b'])
  })

  it('maps a multi-turn tool conversation: the assistant calls, the tool results by call id', () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }
    const parsed = accepted(
      chat({
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '{"t":3}' }] },
        ],
        tools: [{ type: 'function', function: { name: 'f' } }],
      }),
    )
    expect(parsed.messages).toEqual([
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{"x":1}' }] },
      { role: 'tool', content: '{"t":3}', toolCallId: 'call_1' },
    ])
  })

  it('refuses misplaced tool turns by name, and the deprecated function turns', () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } }
    const user = { role: 'user', content: 'hi' }
    const asks = { role: 'assistant', content: null, tool_calls: [call] }
    const cases: Array<[unknown[], string, string]> = [
      [[user, { role: 'tool', content: 'x' }], 'messages[1].tool_call_id', 'invalid_value'],
      [
        [user, { role: 'tool', tool_call_id: 'call_9', content: 'x' }],
        'messages[1].tool_call_id',
        'invalid_value',
      ],
      [
        [user, asks, { role: 'user', tool_call_id: 'call_1', content: 'x' }],
        'messages[2].tool_call_id',
        'invalid_value',
      ],
      [[{ role: 'user', content: 'x', tool_calls: [call] }], 'messages[0].tool_calls', 'invalid_value'],
      [[user, { role: 'user', content: null }], 'messages[1].content', 'invalid_value'],
      [
        [user, { role: 'assistant', tool_calls: [{ ...call, function: { name: 'f', arguments: '[1]' } }] }],
        'messages[1].tool_calls[0].function.arguments',
        'invalid_value',
      ],
      [[{ role: 'function', name: 'f', content: 'x' }], 'messages[0].role', 'unsupported_parameter'],
      [
        [{ role: 'assistant', content: '', function_call: { name: 'f', arguments: '{}' } }],
        'messages[0].function_call',
        'unsupported_parameter',
      ],
    ]
    for (const [messages, param, code] of cases) {
      const error = refusal(chat({ messages, tools: [{ type: 'function', function: { name: 'f' } }] }))
      expect(error.param).toBe(param)
      expect(error.code).toBe(code)
    }
  })

  it('refuses tool and format conflicts by name', () => {
    const tool = { type: 'function', function: { name: 'f' } }
    expect(refusal(chat({ tool_choice: 'auto' })).param).toBe('tool_choice')
    expect(
      refusal(chat({ tools: [tool], tool_choice: { type: 'function', function: { name: 'g' } } })).param,
    ).toBe('tool_choice')
    expect(refusal(chat({ tools: [tool], response_format: { type: 'json_object' } })).param).toBe(
      'response_format',
    )
    expect(refusal(chat({ response_format: { type: 'json_schema' } })).param).toBe(
      'response_format.json_schema',
    )
    expect(refusal(chat({ stop: ['a', 'b', 'c', 'd', 'e'] })).param).toBe('stop')
    expect(refusal(chat({ top_p: 0 })).param).toBe('top_p')
    expect(refusal(chat({ tools: [{ type: 'function', function: { name: 'bad name' } }] })).param).toBe(
      'tools[0].function.name',
    )
    expect(refusal({ model: 'tiny', prompt: 'x', tools: [tool] }, 'completion').code).toBe(
      'unknown_parameter',
    )
  })

  it('joins text content parts and treats null as absent', () => {
    const r = accepted(
      chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
        ],
        temperature: null,
        stop: null,
      }),
    )
    expect(r.messages).toEqual([{ role: 'user', content: 'ab' }])
    expect(r.temperature).toBeUndefined()
  })

  const refusedValues: Record<string, unknown> = {
    n: 2,
    parallel_tool_calls: false,
    functions: [{ name: 'f' }],
    function_call: 'auto',
    logprobs: true,
    top_logprobs: 2,
    logit_bias: { '1': 5 },
    echo: true,
    suffix: 'end',
    best_of: 2,
    store: true,
    metadata: { a: 'b' },
    service_tier: 'flex',
    modalities: ['text', 'audio'],
    audio: { voice: 'x' },
    prediction: { type: 'content', content: 'x' },
    reasoning_effort: 'low',
    web_search_options: {},
  }

  it('has a refusing value for every refused row of the table', () => {
    const refused = PARAMETERS.filter((p) => p.status === 'refused').map((p) => p.name)
    expect(Object.keys(refusedValues).sort()).toEqual(refused.sort())
  })

  for (const rule of PARAMETERS.filter((p) => p.status === 'refused')) {
    it(`refuses ${rule.name} with a 400 naming it`, () => {
      const endpoint = rule.endpoints.includes('chat') ? 'chat' : 'completion'
      const base = endpoint === 'chat' ? chat({}) : { model: 'tiny', prompt: 'x' }
      const error = refusal({ ...base, [rule.name]: refusedValues[rule.name] }, endpoint)
      expect(error.param).toBe(rule.name)
      expect(error.code).toBe('unsupported_parameter')
      expect(error.message).toContain(rule.name)
    })
  }

  it('accepts refused parameters at their neutral value', () => {
    expect(
      accepted(
        chat({ n: 1, top_p: 1, presence_penalty: 0, logprobs: false, response_format: { type: 'text' } }),
      ),
    ).toMatchObject({ model: 'tiny' })
    expect(accepted({ model: 'tiny', prompt: 'x', echo: false, best_of: 1 }, 'completion').prompt).toBe('x')
  })

  it('refuses unknown fields, roles and content parts by name', () => {
    expect(refusal(chat({ foo: 1 }))).toMatchObject({ param: 'foo', code: 'unknown_parameter' })
    expect(refusal(chat({ messages: [{ role: 'wizard', content: 'x' }] })).param).toBe('messages[0].role')
    expect(
      refusal(
        chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }),
      ).param,
    ).toBe('messages[0].content[0].type')
    expect(refusal(chat({ messages: [{ role: 'user', content: 'x', name: 'bob' }] })).param).toBe(
      'messages[0].name',
    )
    expect(refusal({ model: 'tiny', prompt: 'x', messages: [] }, 'completion').param).toBe('messages')
  })

  it('refuses stream_options without stream', () => {
    expect(refusal(chat({ stream_options: { include_usage: true } })).param).toBe('stream_options')
    expect(refusal(chat({ stream: false, stream_options: { include_usage: true } })).param).toBe(
      'stream_options',
    )
  })

  it('names the parameter of a wrong type or range', () => {
    expect(refusal(chat({ max_tokens: 0 })).param).toBe('max_tokens')
    expect(refusal(chat({ temperature: 3 })).param).toBe('temperature')
    expect(refusal(chat({ seed: -1 })).param).toBe('seed')
    expect(refusal(chat({ max_price: '1e3' })).param).toBe('max_price')
    expect(refusal(chat({ stream: 'yes' })).param).toBe('stream')
    expect(refusal(chat({ messages: [] })).param).toBe('messages')
    expect(refusal({ messages: [{ role: 'user', content: 'x' }] }).param).toBe('model')
    expect(refusal({ model: ' ', messages: [{ role: 'user', content: 'x' }] }).param).toBe('model')
    expect(refusal({ model: 'tiny', prompt: ['a', 'b'] }, 'completion').param).toBe('prompt')
    expect(refusal({ model: 'tiny', prompt: '' }, 'completion').param).toBe('prompt')
    expect(refusal([1]).param).toBeNull()
  })
})
