/**
 * The tool turns of a chat history, checked after the schema: an assistant's
 * `tool_calls`, and `tool` messages answering them by `tool_call_id`, as
 * OpenAI's API takes them. The deprecated `function` role and
 * `function_call` are refused, naming what to send instead.
 */
import type { ChatMessage } from '@cocoon-mesh/gpu-runtime'
import { type OpenAiError, openAiError } from './errors.js'

type Body = Record<string, unknown>

interface WireToolCall {
  id: string
  function: { name: string; arguments: string }
}

/** The 400 naming the first deprecated function turn of `messages` (checked before the schema). */
export function deprecatedFunctionTurn(messages: unknown): OpenAiError | undefined {
  if (!Array.isArray(messages)) return undefined
  for (const [i, m] of messages.entries()) {
    if (typeof m !== 'object' || m === null) continue
    const message = m as Body
    const param =
      message.role === 'function'
        ? `messages[${i}].role`
        : message.function_call !== undefined
          ? `messages[${i}].function_call`
          : undefined
    if (param === undefined) continue
    return openAiError(
      400,
      `\`${param}\` is not supported by this gateway: deprecated by OpenAI; send the call as \`tool_calls\` on the assistant message and its result as a \`tool\` message with \`tool_call_id\``,
      'invalid_request_error',
      'unsupported_parameter',
      param,
    )
  }
  return undefined
}

/**
 * The 400 for the first misplaced tool field of messages that passed the
 * schema: `tool_calls` only on an assistant message, `tool_call_id` on every
 * `tool` message and only there, naming a call made earlier; arguments that
 * are a JSON object; content left out only by an assistant that calls tools.
 */
export function toolTurnConflict(messages: readonly Body[]): OpenAiError | undefined {
  const calls = new Set<string>()
  for (const [i, m] of messages.entries()) {
    const at = `messages[${i}]`
    const toolCalls = (m.tool_calls as WireToolCall[] | undefined) ?? []
    if (toolCalls.length > 0 && m.role !== 'assistant')
      return bad(`\`${at}.tool_calls\` is only allowed on an \`assistant\` message`, `${at}.tool_calls`)
    for (const [j, call] of toolCalls.entries()) {
      if (!isJsonObject(call.function.arguments))
        return bad(
          `\`${at}.tool_calls[${j}].function.arguments\` must be the JSON text of an object`,
          `${at}.tool_calls[${j}].function.arguments`,
        )
      calls.add(call.id)
    }
    const id = m.tool_call_id as string | undefined
    if (m.role === 'tool' && id === undefined)
      return bad(`\`${at}.tool_call_id\` is required on a \`tool\` message`, `${at}.tool_call_id`)
    if (m.role !== 'tool' && id !== undefined)
      return bad(`\`${at}.tool_call_id\` is only allowed on a \`tool\` message`, `${at}.tool_call_id`)
    if (id !== undefined && !calls.has(id))
      return bad(
        `\`${at}\` with role \`tool\` must answer a call in the \`tool_calls\` of an earlier assistant message; \`${id}\` is none of them`,
        `${at}.tool_call_id`,
      )
    if ((m.content === undefined || m.content === null) && toolCalls.length === 0)
      return bad(
        `\`${at}.content\` is required unless the assistant message has \`tool_calls\``,
        `${at}.content`,
      )
  }
  return undefined
}

/** A message of a body that passed the schema, in the job's terms. */
export function toMessage(m: Body): ChatMessage {
  const content = m.content as string | Array<{ text: string }> | null | undefined
  const message: ChatMessage = {
    role: m.role as string,
    content:
      content === null || content === undefined
        ? ''
        : typeof content === 'string'
          ? content
          : content.map((p) => p.text).join(''),
  }
  const calls = m.tool_calls as WireToolCall[] | undefined
  if (calls !== undefined)
    message.toolCalls = calls.map((c) => ({
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
    }))
  if (m.tool_call_id !== undefined) message.toolCallId = m.tool_call_id as string
  return message
}

/** Whether the history holds an earlier tool call or result, which only a backend with `tools` can render. */
export function hasToolTurns(messages: readonly ChatMessage[] | undefined): boolean {
  return (messages ?? []).some((m) => m.role === 'tool' || (m.toolCalls?.length ?? 0) > 0)
}

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
  } catch {
    // not JSON at all: refused like any other non-object
    return false
  }
}

function bad(message: string, param: string): OpenAiError {
  return openAiError(400, message, 'invalid_request_error', 'invalid_value', param)
}
