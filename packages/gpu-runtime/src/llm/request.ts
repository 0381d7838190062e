import {
  type FeatureName,
  MAX_SCHEMA_BYTES,
  MAX_STOP_LENGTH,
  MAX_STOP_SEQUENCES,
  MAX_TOOL_DESCRIPTION_LENGTH,
  MAX_TOOL_NAME_LENGTH,
  MAX_TOOLS,
} from '@cocoon-mesh/protocol'
import { FeatureUnsupportedError, InvalidRequestError } from '../errors.js'
import type { ChatMessage, GenerateRequest, JsonSchema } from '../types.js'

const bad = (what: string, details: string): never => {
  throw new InvalidRequestError(`Invalid generate request: ${what}`, { details })
}

/** Largest prompt text accepted, in UTF-16 code units (prompt + messages + continuation). */
export const MAX_PROMPT_CHARS = 4 * 1024 * 1024

/** Throws `InvalidRequestError` naming the first problem of a request. */
export function validateGenerateRequest(request: GenerateRequest): void {
  if (typeof request !== 'object' || request === null)
    bad('not an object', 'Pass { model, prompt | messages, maxTokens }.')
  if (typeof request.model !== 'string' || request.model === '')
    bad('model', 'model must be a non-empty string.')
  const hasPrompt = request.prompt !== undefined
  const hasMessages = request.messages !== undefined
  if (hasPrompt === hasMessages) bad('prompt/messages', 'Set exactly one of prompt and messages.')
  let chars = 0
  if (hasPrompt) {
    if (typeof request.prompt !== 'string') bad('prompt', 'prompt must be a string.')
    chars += (request.prompt as string).length
  }
  if (hasMessages) {
    if (!Array.isArray(request.messages) || request.messages.length === 0) {
      bad('messages', 'messages must be a non-empty array of { role, content }.')
    }
    for (const [i, m] of (request.messages ?? []).entries()) {
      if (typeof m?.role !== 'string' || typeof m?.content !== 'string') {
        bad(`messages[${i}]`, 'Each message needs string role and content.')
      }
      chars += m.content.length + m.role.length + toolTurnChars(m, i)
    }
  }
  if (request.continuation !== undefined) {
    if (typeof request.continuation !== 'string') bad('continuation', 'continuation must be a string.')
    chars += request.continuation.length
  }
  if (chars > MAX_PROMPT_CHARS)
    bad('prompt too long', `${chars} characters; the limit is ${MAX_PROMPT_CHARS}.`)
  if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1 || request.maxTokens > 1_000_000) {
    bad('maxTokens', `maxTokens must be an integer from 1 to 1000000, got ${String(request.maxTokens)}.`)
  }
  if (request.temperature !== undefined) {
    const t = request.temperature
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0 || t > 2) {
      bad('temperature', `temperature must be within [0, 2], got ${String(t)}.`)
    }
  }
  if (
    request.seed !== undefined &&
    (!Number.isInteger(request.seed) || request.seed < 0 || request.seed > 0xffffffff)
  ) {
    bad('seed', `seed must be an integer within [0, 2^32), got ${String(request.seed)}.`)
  }
  if (
    request.deadline !== undefined &&
    (typeof request.deadline !== 'number' || !Number.isFinite(request.deadline))
  ) {
    bad('deadline', 'deadline must be a Unix time in milliseconds.')
  }
  validateSampling(request)
  validateStructure(request)
}

/**
 * Checks a message's tool fields (calls only on assistant turns, a call id
 * on every `tool` turn and nowhere else) and returns the characters they add.
 */
function toolTurnChars(m: ChatMessage, i: number): number {
  const calls = m.toolCalls ?? []
  if (!Array.isArray(calls) || (calls.length > 0 && m.role !== 'assistant'))
    bad(`messages[${i}].toolCalls`, 'Only an assistant message carries tool calls.')
  let chars = 0
  for (const call of calls) {
    if (typeof call?.id !== 'string' || typeof call.name !== 'string' || typeof call.arguments !== 'string')
      bad(`messages[${i}].toolCalls`, 'Each tool call needs string id, name and arguments.')
    chars += call.id.length + call.name.length + call.arguments.length
  }
  const isResult = m.role === 'tool'
  if (isResult !== (typeof m.toolCallId === 'string' && m.toolCallId !== ''))
    bad(
      `messages[${i}].toolCallId`,
      'A tool message names the call it answers in toolCallId; other messages do not.',
    )
  return chars + (m.toolCallId?.length ?? 0)
}

/** Whether the conversation holds an earlier tool call or result: only a backend with `tools` can render it. */
export function hasToolTurns(request: GenerateRequest): boolean {
  return (request.messages ?? []).some((m) => m.role === 'tool' || (m.toolCalls?.length ?? 0) > 0)
}

function validateSampling(request: GenerateRequest): void {
  const { stop } = request
  if (stop !== undefined) {
    if (!Array.isArray(stop) || stop.length > MAX_STOP_SEQUENCES)
      bad('stop', `stop must be an array of at most ${MAX_STOP_SEQUENCES} strings.`)
    for (const s of stop) {
      if (typeof s !== 'string' || s.length === 0 || s.length > MAX_STOP_LENGTH)
        bad('stop', `Each stop string must have 1 to ${MAX_STOP_LENGTH} characters.`)
    }
  }
  const range = (name: string, value: number | undefined, min: number, max: number, open = false): void => {
    if (value === undefined) return
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value > max ||
      value < min ||
      (open && value === min)
    )
      bad(name, `${name} must be within ${open ? '(' : '['}${min}, ${max}], got ${String(value)}.`)
  }
  range('topP', request.topP, 0, 1, true)
  range('presencePenalty', request.presencePenalty, -2, 2)
  range('frequencyPenalty', request.frequencyPenalty, -2, 2)
}

function checkSchema(name: string, schema: JsonSchema | undefined): void {
  if (schema === undefined) return
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    bad(name, `${name} must be a JSON schema object.`)
  const bytes = Buffer.byteLength(JSON.stringify(schema), 'utf8')
  if (bytes > MAX_SCHEMA_BYTES)
    bad(name, `${name} is ${bytes} bytes of JSON; the limit is ${MAX_SCHEMA_BYTES}.`)
}

function validateStructure(request: GenerateRequest): void {
  const format = request.responseFormat
  if (format !== undefined) {
    if (format.type === 'json_schema') checkSchema('responseFormat.schema', format.schema)
    else if (format.type === 'grammar') {
      const bytes = typeof format.grammar === 'string' ? Buffer.byteLength(format.grammar, 'utf8') : 0
      if (bytes === 0 || bytes > MAX_SCHEMA_BYTES)
        bad('responseFormat.grammar', `A GBNF grammar of 1 to ${MAX_SCHEMA_BYTES} bytes is needed.`)
    } else if (format.type !== 'json_object')
      bad('responseFormat.type', 'responseFormat.type must be json_object, json_schema or grammar.')
  }
  const tools = request.tools ?? []
  if (!Array.isArray(tools) || tools.length > MAX_TOOLS) bad('tools', `At most ${MAX_TOOLS} tools.`)
  const names = new Set<string>()
  for (const tool of tools) {
    const name = tool?.name
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name) || name.length > MAX_TOOL_NAME_LENGTH)
      bad('tools[].name', `Tool names are 1-${MAX_TOOL_NAME_LENGTH} letters, digits, "_" or "-".`)
    if (names.has(name)) bad('tools[].name', `Tool "${name}" is listed twice.`)
    names.add(name)
    if (
      tool.description !== undefined &&
      (typeof tool.description !== 'string' || tool.description.length > MAX_TOOL_DESCRIPTION_LENGTH)
    )
      bad(
        'tools[].description',
        `A tool description is a string of at most ${MAX_TOOL_DESCRIPTION_LENGTH} characters.`,
      )
    checkSchema('tools[].parameters', tool.parameters)
  }
  const choice = request.toolChoice
  if (choice !== undefined) {
    if (typeof choice === 'object') {
      if (!names.has(choice?.name)) bad('toolChoice', 'toolChoice { name } must name one of tools.')
    } else if (!['auto', 'none', 'required'].includes(choice)) {
      bad('toolChoice', 'toolChoice must be auto, none, required or { name }.')
    } else if (choice === 'required' && tools.length === 0)
      bad('toolChoice', 'toolChoice required needs tools.')
  }
  if (format !== undefined && usesTools(request))
    bad('responseFormat', 'Set responseFormat or tools, not both.')
}

/** Whether the request lets the model call tools (tools given, toolChoice not `none`). */
export function usesTools(request: GenerateRequest): boolean {
  return (request.tools?.length ?? 0) > 0 && request.toolChoice !== 'none'
}

/** The features a request needs from its backend (see `FEATURE_NAMES`). */
export function requestFeatures(request: GenerateRequest): FeatureName[] {
  const needed: FeatureName[] = []
  if ((request.stop?.length ?? 0) > 0) needed.push('stop')
  if (request.topP !== undefined && request.topP !== 1) needed.push('top_p')
  if ((request.presencePenalty ?? 0) !== 0 || (request.frequencyPenalty ?? 0) !== 0) needed.push('penalties')
  if (request.responseFormat !== undefined) needed.push(request.responseFormat.type)
  if (usesTools(request) || hasToolTurns(request)) needed.push('tools')
  return needed
}

/**
 * Throws FeatureUnsupportedError for the first feature `request` needs that
 * `offered` (the backend's features for the model) lacks.
 */
export function checkFeatures(
  request: GenerateRequest,
  offered: readonly FeatureName[],
  backend: string,
): void {
  for (const feature of requestFeatures(request)) {
    if (!offered.includes(feature)) {
      throw new FeatureUnsupportedError(
        `The ${backend} backend of ${request.model} does not support ${feature}`,
        {
          feature,
          details: `It supports: ${offered.join(', ') || 'none'}. Ask a provider whose offer lists "${feature}".`,
        },
      )
    }
  }
}
