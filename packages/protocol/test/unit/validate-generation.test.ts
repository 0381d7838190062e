import { describe, expect, it } from 'vitest'
import {
  InvalidFieldError,
  JobKind,
  type JobRequest,
  type LlmParams,
  MAX_EMBEDDING_INPUTS,
  MAX_SCHEMA_BYTES,
  MAX_STOP_LENGTH,
  MAX_TOOLS,
  missingFeatures,
  OutputConstraintKind,
  requiredFeatures,
  validateJobRequest,
  validateOffer,
} from '../../src/index.js'
import { NOW, sampleJobRequest, sampleOffer } from '../fixtures.js'

const llmRequest = (llm: Partial<LlmParams>): JobRequest => {
  const base = sampleJobRequest()
  return sampleJobRequest({ llm: { ...(base.llm as LlmParams), ...llm } })
}

function fieldOf(request: JobRequest): string | undefined {
  try {
    validateJobRequest(request, { now: NOW })
  } catch (error) {
    if (error instanceof InvalidFieldError) return error.field
    throw error
  }
  return undefined
}

const schema = '{"type":"object","properties":{"a":{"type":"string"}}}'

describe('validateJobRequest: generation constraints', () => {
  it('bounds tool turns: calls on assistant turns only, a call id on every tool turn and only there', () => {
    const call = { id: 'call_1', name: 'f', arguments: '{"x":1}' }
    const turn = (role: string, extra: Partial<{ toolCalls: (typeof call)[]; toolCallId: string }> = {}) => ({
      role,
      content: 'c',
      toolCalls: [],
      toolCallId: '',
      ...extra,
    })
    const withTurns = (...messages: ReturnType<typeof turn>[]) => llmRequest({ messages })
    const good = withTurns(
      turn('user'),
      turn('assistant', { toolCalls: [call] }),
      turn('tool', { toolCallId: 'call_1' }),
    )
    expect(fieldOf(good)).toBe(undefined)
    expect(requiredFeatures(good)).toEqual(['tools'])
    expect(fieldOf(withTurns(turn('user', { toolCalls: [call] })))).toBe('llm.messages[0].toolCalls')
    expect(fieldOf(withTurns(turn('tool')))).toBe('llm.messages[0].toolCallId')
    expect(fieldOf(withTurns(turn('user', { toolCallId: 'call_1' })))).toBe('llm.messages[0].toolCallId')
    expect(fieldOf(withTurns(turn('assistant', { toolCalls: [{ ...call, arguments: '[1]' }] })))).toBe(
      'llm.messages[0].toolCalls[].arguments',
    )
    expect(fieldOf(withTurns(turn('assistant', { toolCalls: [{ ...call, id: 'x'.repeat(129) }] })))).toBe(
      'llm.messages[0].toolCalls[].id',
    )
    expect(
      fieldOf(withTurns(turn('assistant', { toolCalls: Array.from({ length: MAX_TOOLS + 1 }, () => call) }))),
    ).toBe('llm.messages[0].toolCalls')
  })

  it('accepts stop strings, sampling, a schema and tools within their bounds', () => {
    expect(
      fieldOf(llmRequest({ stop: ['\n', 'END'], topP: 0.9, presencePenalty: 1, frequencyPenalty: -1 })),
    ).toBe(undefined)
    expect(
      fieldOf(
        llmRequest({
          constraint: {
            kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA,
            jsonSchema: schema,
            grammar: '',
          },
        }),
      ),
    ).toBe(undefined)
    expect(
      fieldOf(
        llmRequest({
          tools: [{ name: 'f_1', description: 'd', parameters: schema }],
          toolChoice: 'function',
          toolChoiceName: 'f_1',
        }),
      ),
    ).toBe(undefined)
  })

  it('names the field that breaks a bound', () => {
    expect(fieldOf(llmRequest({ stop: ['a', 'b', 'c', 'd', 'e'] }))).toBe('llm.stop')
    expect(fieldOf(llmRequest({ stop: [''] }))).toBe('llm.stop[]')
    expect(fieldOf(llmRequest({ stop: ['x'.repeat(MAX_STOP_LENGTH + 1)] }))).toBe('llm.stop[]')
    expect(fieldOf(llmRequest({ topP: 1.5 }))).toBe('llm.topP')
    expect(fieldOf(llmRequest({ presencePenalty: Number.NaN }))).toBe('llm.presencePenalty')
    expect(fieldOf(llmRequest({ frequencyPenalty: -3 }))).toBe('llm.frequencyPenalty')
    const jsonSchema = (text: string) =>
      llmRequest({
        constraint: {
          kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA,
          jsonSchema: text,
          grammar: '',
        },
      })
    expect(fieldOf(jsonSchema('{not json'))).toBe('llm.constraint.jsonSchema')
    expect(fieldOf(jsonSchema('[1]'))).toBe('llm.constraint.jsonSchema')
    expect(fieldOf(jsonSchema(`{"description":"${'x'.repeat(MAX_SCHEMA_BYTES)}"}`))).toBe(
      'llm.constraint.jsonSchema',
    )
    expect(
      fieldOf(
        llmRequest({
          constraint: {
            kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_GRAMMAR,
            jsonSchema: '',
            grammar: '',
          },
        }),
      ),
    ).toBe('llm.constraint.grammar')
    expect(
      fieldOf(
        llmRequest({
          constraint: {
            kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_UNSPECIFIED,
            jsonSchema: '',
            grammar: '',
          },
        }),
      ),
    ).toBe('llm.constraint.kind')
    const tools = Array.from({ length: MAX_TOOLS + 1 }, (_, i) => ({
      name: `f${i}`,
      description: '',
      parameters: '',
    }))
    expect(fieldOf(llmRequest({ tools }))).toBe('llm.tools')
    expect(fieldOf(llmRequest({ tools: [{ name: 'bad name', description: '', parameters: '' }] }))).toBe(
      'llm.tools[].name',
    )
    expect(fieldOf(llmRequest({ tools: [{ name: 'f', description: '', parameters: '{' }] }))).toBe(
      'llm.tools[].parameters',
    )
    expect(fieldOf(llmRequest({ toolChoice: 'maybe' }))).toBe('llm.toolChoice')
    expect(fieldOf(llmRequest({ toolChoice: 'required' }))).toBe('llm.toolChoice')
    expect(
      fieldOf(
        llmRequest({
          tools: [{ name: 'f', description: '', parameters: '' }],
          toolChoice: 'function',
          toolChoiceName: 'g',
        }),
      ),
    ).toBe('llm.toolChoiceName')
    expect(
      fieldOf(
        llmRequest({
          tools: [{ name: 'f', description: '', parameters: '' }],
          constraint: {
            kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_OBJECT,
            jsonSchema: '',
            grammar: '',
          },
        }),
      ),
    ).toBe('llm.constraint')
  })

  it('checks an embedding job has only its inputs, within bounds', () => {
    const embedding = (inputs: string[], extra: Partial<JobRequest> = {}) =>
      sampleJobRequest({ kind: JobKind.JOB_KIND_EMBEDDING, llm: undefined, embedding: { inputs }, ...extra })
    expect(fieldOf(embedding(['a', 'b']))).toBe(undefined)
    expect(fieldOf(embedding([]))).toBe('embedding.inputs')
    expect(fieldOf(embedding(Array.from({ length: MAX_EMBEDDING_INPUTS + 1 }, () => 'x')))).toBe(
      'embedding.inputs',
    )
    expect(fieldOf(embedding(['']))).toBe('embedding.inputs[]')
    expect(fieldOf(embedding(['a'], { llm: sampleJobRequest().llm }))).toBe('llm')
    expect(fieldOf(sampleJobRequest({ embedding: { inputs: ['a'] } }))).toBe('embedding')
  })
})

describe('features', () => {
  it('a plain job needs none; each constraint needs its feature', () => {
    expect(requiredFeatures(sampleJobRequest())).toEqual([])
    const request = llmRequest({
      stop: ['x'],
      topP: 0.5,
      frequencyPenalty: 0.1,
      constraint: {
        kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_OBJECT,
        jsonSchema: '',
        grammar: '',
      },
    })
    expect(requiredFeatures(request)).toEqual(['stop', 'top_p', 'penalties', 'json_object'])
    expect(requiredFeatures(llmRequest({ tools: [{ name: 'f', description: '', parameters: '' }] }))).toEqual(
      ['tools'],
    )
    expect(
      requiredFeatures(
        llmRequest({ tools: [{ name: 'f', description: '', parameters: '' }], toolChoice: 'none' }),
      ),
    ).toEqual([])
    expect(missingFeatures(['stop', 'tools'], ['stop', 'json_schema'])).toEqual(['json_schema'])
  })

  it('an offer keeps unknown feature names but bounds them', () => {
    const provider = new Uint8Array([0, 36, 8, 1, 18, 32, ...new Uint8Array(32).fill(3)])
    expect(() =>
      validateOffer(sampleOffer({ provider, features: ['stop', 'future-thing'] }), { now: NOW }),
    ).not.toThrow()
    expect(() => validateOffer(sampleOffer({ provider, features: [''] }), { now: NOW })).toThrow(
      InvalidFieldError,
    )
    expect(() =>
      validateOffer(sampleOffer({ provider, features: Array.from({ length: 17 }, (_, i) => `f${i}`) }), {
        now: NOW,
      }),
    ).toThrow(InvalidFieldError)
  })
})
