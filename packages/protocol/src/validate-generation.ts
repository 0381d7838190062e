/**
 * Bounds of the generation constraints a JobRequest carries (stop strings,
 * sampling, output constraint, tools) and of an embedding job's inputs. A
 * hostile requester could otherwise hand a provider an unbounded grammar to
 * compile or stop list to scan on every token.
 */
import { InvalidFieldError } from './errors.js'
import {
  type ChatMessage,
  type EmbeddingParams,
  type LlmParams,
  type OutputConstraint,
  OutputConstraintKind,
  type ToolFunction,
} from './generated/cocoon.js'
import {
  MAX_EMBEDDING_INPUTS,
  MAX_SCHEMA_BYTES,
  MAX_STOP_LENGTH,
  MAX_STOP_SEQUENCES,
  MAX_TOOL_CALL_ID_LENGTH,
  MAX_TOOL_DESCRIPTION_LENGTH,
  MAX_TOOL_NAME_LENGTH,
  MAX_TOOLS,
} from './limits.js'

const TOOL_NAME = /^[A-Za-z0-9_-]+$/
const TOOL_CHOICES = ['', 'auto', 'none', 'required', 'function'] as const

function invalid(field: string, problem: string, expected: string): InvalidFieldError {
  return new InvalidFieldError(`Invalid ${field}: ${problem}`, { field, details: `Expected ${expected}.` })
}

/** Bounds of the LlmParams fields beyond prompt and messages. */
export function validateLlmConstraints(llm: LlmParams): void {
  checkStops(llm.stop)
  checkRange('llm.topP', llm.topP, 0, 1)
  checkRange('llm.presencePenalty', llm.presencePenalty, -2, 2)
  checkRange('llm.frequencyPenalty', llm.frequencyPenalty, -2, 2)
  if (llm.constraint !== undefined) checkConstraint(llm.constraint)
  checkTools(llm.tools)
  checkToolChoice(llm)
  checkToolTurns(llm.messages)
  if (llm.constraint !== undefined && llm.tools.length > 0 && llm.toolChoice !== 'none') {
    throw invalid('llm.constraint', 'set together with tools', 'either an output constraint or tools')
  }
}

/**
 * The tool turns of a conversation: calls only on assistant turns, at most
 * MAX_TOOLS per turn, each with a bounded id, a tool name and JSON-object
 * arguments; a call id only on a `tool` turn, and one on every `tool` turn.
 */
function checkToolTurns(messages: readonly ChatMessage[]): void {
  for (const [i, m] of messages.entries()) {
    const at = `llm.messages[${i}]`
    if (m.toolCalls.length > 0 && m.role !== 'assistant')
      throw invalid(
        `${at}.toolCalls`,
        `set on a ${m.role.slice(0, 16)} turn`,
        'tool calls only on assistant turns',
      )
    if (m.toolCalls.length > MAX_TOOLS)
      throw invalid(`${at}.toolCalls`, `${m.toolCalls.length} calls`, `at most ${MAX_TOOLS}`)
    for (const call of m.toolCalls) {
      if (call.id.length === 0 || call.id.length > MAX_TOOL_CALL_ID_LENGTH)
        throw invalid(`${at}.toolCalls[].id`, `${call.id.length} characters`, `1..${MAX_TOOL_CALL_ID_LENGTH}`)
      if (!TOOL_NAME.test(call.name) || call.name.length > MAX_TOOL_NAME_LENGTH)
        throw invalid(
          `${at}.toolCalls[].name`,
          'not a tool name',
          `1-${MAX_TOOL_NAME_LENGTH} of [A-Za-z0-9_-]`,
        )
      checkJsonObjectText(`${at}.toolCalls[].arguments`, call.arguments)
    }
    const isResult = m.role === 'tool'
    if (isResult !== (m.toolCallId !== ''))
      throw invalid(
        `${at}.toolCallId`,
        isResult ? 'empty on a tool turn' : `set on a ${m.role.slice(0, 16)} turn`,
        'a call id on tool turns only',
      )
    if (m.toolCallId.length > MAX_TOOL_CALL_ID_LENGTH)
      throw invalid(
        `${at}.toolCallId`,
        `${m.toolCallId.length} characters`,
        `at most ${MAX_TOOL_CALL_ID_LENGTH}`,
      )
  }
}

function checkStops(stops: readonly string[]): void {
  if (stops.length > MAX_STOP_SEQUENCES)
    throw invalid('llm.stop', `${stops.length} stop strings`, `at most ${MAX_STOP_SEQUENCES}`)
  for (const stop of stops) {
    if (stop.length === 0) throw invalid('llm.stop[]', 'empty', 'a non-empty stop string')
    if (stop.length > MAX_STOP_LENGTH)
      throw invalid('llm.stop[]', `${stop.length} characters`, `at most ${MAX_STOP_LENGTH} characters`)
  }
}

function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max)
    throw invalid(field, String(value), `a number within [${min}, ${max}]`)
}

function checkJsonObjectText(field: string, text: string): void {
  const bytes = utf8Bytes(text)
  if (bytes > MAX_SCHEMA_BYTES) throw invalid(field, `${bytes} bytes`, `at most ${MAX_SCHEMA_BYTES} bytes`)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw invalid(field, 'not JSON', 'the JSON text of a JSON schema object')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw invalid(field, 'not a JSON object', 'the JSON text of a JSON schema object')
}

function checkConstraint(constraint: OutputConstraint): void {
  const { kind, jsonSchema, grammar } = constraint
  if (kind === OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA) {
    checkJsonObjectText('llm.constraint.jsonSchema', jsonSchema)
  } else if (jsonSchema !== '') {
    throw invalid('llm.constraint.jsonSchema', `set with kind ${kind}`, 'a schema only for JSON_SCHEMA')
  }
  if (kind === OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_GRAMMAR) {
    const bytes = utf8Bytes(grammar)
    if (bytes === 0 || bytes > MAX_SCHEMA_BYTES)
      throw invalid(
        'llm.constraint.grammar',
        `${bytes} bytes`,
        `a GBNF grammar of 1..${MAX_SCHEMA_BYTES} bytes`,
      )
  } else if (grammar !== '') {
    throw invalid('llm.constraint.grammar', `set with kind ${kind}`, 'a grammar only for GRAMMAR')
  }
  if (kind === OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_UNSPECIFIED)
    throw invalid('llm.constraint.kind', 'unspecified', 'JSON_OBJECT, JSON_SCHEMA or GRAMMAR')
}

/** A tool name as OpenAI's API allows it: 1-64 of letters, digits, `_` and `-`. */
export function checkToolName(field: string, name: string): void {
  if (name.length === 0 || name.length > MAX_TOOL_NAME_LENGTH || !TOOL_NAME.test(name))
    throw invalid(field, `"${name.slice(0, 64)}"`, `1-${MAX_TOOL_NAME_LENGTH} letters, digits, "_" or "-"`)
}

function checkTools(tools: readonly ToolFunction[]): void {
  if (tools.length > MAX_TOOLS) throw invalid('llm.tools', `${tools.length} tools`, `at most ${MAX_TOOLS}`)
  const names = new Set<string>()
  for (const tool of tools) {
    checkToolName('llm.tools[].name', tool.name)
    if (names.has(tool.name)) throw invalid('llm.tools', `"${tool.name}" listed twice`, 'unique tool names')
    names.add(tool.name)
    if (tool.description.length > MAX_TOOL_DESCRIPTION_LENGTH) {
      throw invalid(
        'llm.tools[].description',
        `${tool.description.length} characters`,
        `at most ${MAX_TOOL_DESCRIPTION_LENGTH} characters`,
      )
    }
    if (tool.parameters !== '') checkJsonObjectText('llm.tools[].parameters', tool.parameters)
  }
}

function checkToolChoice(llm: LlmParams): void {
  const choice = llm.toolChoice
  if (!(TOOL_CHOICES as readonly string[]).includes(choice))
    throw invalid(
      'llm.toolChoice',
      `"${choice.slice(0, 32)}"`,
      '"", "auto", "none", "required" or "function"',
    )
  if (choice === 'function') {
    if (!llm.tools.some((t) => t.name === llm.toolChoiceName))
      throw invalid(
        'llm.toolChoiceName',
        `"${llm.toolChoiceName.slice(0, 64)}"`,
        'the name of one of llm.tools',
      )
  } else if (llm.toolChoiceName !== '') {
    throw invalid('llm.toolChoiceName', 'set without toolChoice "function"', 'an empty name')
  }
  if ((choice === 'required' || choice === 'function') && llm.tools.length === 0)
    throw invalid('llm.toolChoice', `"${choice}" without tools`, 'tools to choose from')
}

/** Bounds of an embedding job: 1..MAX_EMBEDDING_INPUTS non-empty texts. */
export function validateEmbeddingParams(embedding: EmbeddingParams): void {
  const n = embedding.inputs.length
  if (n === 0 || n > MAX_EMBEDDING_INPUTS)
    throw invalid('embedding.inputs', `${n} inputs`, `1..${MAX_EMBEDDING_INPUTS} texts`)
  for (const input of embedding.inputs)
    if (input.length === 0) throw invalid('embedding.inputs[]', 'empty', 'a non-empty text')
}

const textEncoder = new TextEncoder()

/** UTF-8 length of `text` (lone surrogates count as U+FFFD, 3 bytes, as on the wire). */
function utf8Bytes(text: string): number {
  return textEncoder.encode(text).byteLength
}
