import {
  constraintsToWire,
  type GenerationConstraints,
  messagesFromWire,
  messagesToWire,
  OutputConstraintKind,
  toolsPromptBytesBound,
  validateLlmConstraints,
} from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { FeatureUnsupportedError, InvalidRequestError } from '../../src/errors.js'
import { checkGrammarSchema } from '../../src/llm/json-schema-subset.js'
import { toolsPrompt } from '../../src/llm/llama-grammar.js'
import { checkFeatures, requestFeatures, validateGenerateRequest } from '../../src/llm/request.js'
import type { GenerateRequest } from '../../src/types.js'
import { constraintsFromWire } from '../../src/wire.js'

const base: GenerateRequest = { model: 'm', prompt: 'hi', maxTokens: 4 }
const weather = {
  name: 'get_weather',
  description: 'Weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
}

describe('generation constraints on the wire', () => {
  it('round-trips tool turns through the wire messages, and they need a backend with tools', () => {
    const messages = [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{}' }] },
      { role: 'tool', content: '{"t":3}', toolCallId: 'call_1' },
    ]
    const wire = messagesToWire(messages)
    expect(wire[0]).toEqual({ role: 'user', content: 'weather?', toolCalls: [], toolCallId: '' })
    expect(messagesFromWire(wire)).toEqual(messages)
    const request: GenerateRequest = { model: 'm', messages, maxTokens: 4 }
    expect(requestFeatures(request)).toEqual(['tools'])
    expect(() => checkFeatures(request, ['stop'], 'openai')).toThrow(FeatureUnsupportedError)
  })

  it('round-trips every option through LlmParams, and the result passes protocol validation', () => {
    const all: GenerationConstraints[] = [
      { stop: ['\n', 'END'], topP: 0.5, presencePenalty: 1, frequencyPenalty: -0.5 },
      { responseFormat: { type: 'json_object' } },
      {
        responseFormat: {
          type: 'json_schema',
          schema: { type: 'object', properties: { a: { enum: ['x'] } } },
        },
      },
      { responseFormat: { type: 'grammar', grammar: 'root ::= "yes" | "no"' } },
      { tools: [weather], toolChoice: { name: 'get_weather' } },
      { tools: [weather, { name: 'noop' }], toolChoice: 'required' },
      { tools: [weather], toolChoice: 'none' },
    ]
    for (const c of all) {
      const wire = constraintsToWire(c)
      validateLlmConstraints({
        prompt: 'hi',
        messages: [],
        maxTokens: 4,
        temperature: 0,
        seed: 0,
        continuation: '',
        ...wire,
      })
      expect(constraintsFromWire(wire)).toEqual(c)
    }
    expect(constraintsToWire({ responseFormat: { type: 'json_object' } }).constraint?.kind).toBe(
      OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_OBJECT,
    )
  })

  it('refuses a wire schema that is not a JSON object', () => {
    const wire = constraintsToWire({})
    wire.constraint = {
      kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA,
      jsonSchema: '[]',
      grammar: '',
    }
    expect(() => constraintsFromWire(wire)).toThrow(InvalidRequestError)
  })
})

describe('generate request constraints', () => {
  it('refuses out-of-range options with InvalidRequestError', () => {
    const bad: Array<Partial<GenerateRequest>> = [
      { stop: ['a', 'b', 'c', 'd', 'e'] },
      { stop: [''] },
      { topP: 0 },
      { topP: 1.1 },
      { presencePenalty: 2.5 },
      { frequencyPenalty: Number.NaN },
      { tools: [{ name: 'has space' }] },
      { tools: [weather, weather] },
      { toolChoice: { name: 'nope' }, tools: [weather] },
      { toolChoice: 'required' },
      { tools: [weather], responseFormat: { type: 'json_object' } },
      { responseFormat: { type: 'grammar', grammar: '' } },
    ]
    for (const extra of bad)
      expect(() => validateGenerateRequest({ ...base, ...extra }), JSON.stringify(extra)).toThrow(
        InvalidRequestError,
      )
  })

  it('names the features a request needs and refuses one the backend lacks', () => {
    const request: GenerateRequest = {
      ...base,
      stop: ['x'],
      topP: 0.9,
      responseFormat: { type: 'json_object' },
    }
    expect(requestFeatures(request)).toEqual(['stop', 'top_p', 'json_object'])
    expect(requestFeatures({ ...base, tools: [weather], toolChoice: 'none' })).toEqual([])
    const error = (() => {
      try {
        checkFeatures(request, ['stop', 'top_p'], 'openai')
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(FeatureUnsupportedError)
    expect((error as FeatureUnsupportedError).feature).toBe('json_object')
  })

  it('refuses schema keywords constrained decoding would ignore, naming them', () => {
    expect(() =>
      checkGrammarSchema('s', { type: 'object', properties: { a: { type: 'string', maxLength: 3 } } }),
    ).not.toThrow()
    expect(() => checkGrammarSchema('s', { type: 'string', pattern: 'x+' })).toThrow(/"pattern"/)
    expect(() =>
      checkGrammarSchema('s', { type: 'object', properties: { n: { type: 'integer', minimum: 1 } } }),
    ).toThrow(/#\/properties\/n/)
    expect(() => checkGrammarSchema('s', { type: 'string', format: 'date' })).toThrow(/"format"/)
    let deep: Record<string, unknown> = { type: 'string' }
    for (let i = 0; i < 40; i++) deep = { type: 'array', items: deep }
    expect(() => checkGrammarSchema('s', deep)).toThrow(InvalidRequestError)
  })
})

describe('the tools system message', () => {
  it('stays within the bound a client lets a provider bill for it', () => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather in a city, with “quotes” and ünïcode',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
      { name: 'noop' },
    ]
    const wire = constraintsToWire({ tools }).tools
    expect(Buffer.byteLength(toolsPrompt(tools), 'utf8')).toBeLessThanOrEqual(toolsPromptBytesBound(wire))
  })
})
