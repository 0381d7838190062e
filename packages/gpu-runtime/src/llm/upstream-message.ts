import type { ChatMessage } from '../types.js'

/** A chat message in OpenAI's shape: an assistant's `tool_calls` and a tool result's `tool_call_id` as they came. */
export function upstreamMessage(m: ChatMessage): Record<string, unknown> {
  const calls = m.toolCalls ?? []
  return {
    role: m.role,
    // OpenAI's API takes null content on an assistant turn that only calls tools
    content: calls.length > 0 && m.content === '' ? null : m.content,
    ...(calls.length > 0
      ? {
          tool_calls: calls.map((c) => ({
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          })),
        }
      : {}),
    ...(m.toolCallId !== undefined ? { tool_call_id: m.toolCallId } : {}),
  }
}
