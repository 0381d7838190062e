/**
 * The job protocol's generation options on the wire, and the bound on the
 * tools prompt a provider may bill for: computed the same way by the client
 * that sends a job and the provider that serves it.
 */
import { type ChatMessage, type LlmParams, OutputConstraintKind } from './generated/cocoon.js'
import type { ChatTurn, GenerationConstraints, ResponseFormat } from './job-shapes.js'

/** Chat turns as LlmParams carries them (no tool calls: an empty list, no call id: ""). */
export function messagesToWire(messages: readonly ChatTurn[]): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role,
    content: m.content,
    toolCalls: m.toolCalls ?? [],
    toolCallId: m.toolCallId ?? '',
  }))
}

/** The chat turns of LlmParams, the tool fields only where set. */
export function messagesFromWire(messages: readonly ChatMessage[]): ChatTurn[] {
  return messages.map((m) => ({
    role: m.role,
    content: m.content,
    ...(m.toolCalls.length > 0 ? { toolCalls: m.toolCalls.map((c) => ({ ...c })) } : {}),
    ...(m.toolCallId !== '' ? { toolCallId: m.toolCallId } : {}),
  }))
}

/** The LlmParams fields that carry a job's {@link GenerationConstraints}. */
export type WireConstraints = Pick<
  LlmParams,
  | 'stop'
  | 'topP'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'constraint'
  | 'tools'
  | 'toolChoice'
  | 'toolChoiceName'
>

function constraintToWire(format: ResponseFormat | undefined): LlmParams['constraint'] {
  if (format === undefined) return undefined
  const none = { jsonSchema: '', grammar: '' }
  if (format.type === 'json_object')
    return { ...none, kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_OBJECT }
  if (format.type === 'json_schema')
    return {
      ...none,
      kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA,
      jsonSchema: JSON.stringify(format.schema),
    }
  return { ...none, kind: OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_GRAMMAR, grammar: format.grammar }
}

/** The LlmParams fields for a job's constraints (unset ones as protobuf defaults). */
export function constraintsToWire(c: GenerationConstraints): WireConstraints {
  const choice = c.toolChoice
  return {
    stop: c.stop ?? [],
    topP: c.topP ?? 0,
    presencePenalty: c.presencePenalty ?? 0,
    frequencyPenalty: c.frequencyPenalty ?? 0,
    constraint: constraintToWire(c.responseFormat),
    tools: (c.tools ?? []).map((t) => ({
      name: t.name,
      description: t.description ?? '',
      parameters: t.parameters === undefined ? '' : JSON.stringify(t.parameters),
    })),
    toolChoice: choice === undefined ? '' : typeof choice === 'object' ? 'function' : choice,
    toolChoiceName: typeof choice === 'object' ? choice.name : '',
  }
}

/** Bytes the runtime's tools prompt adds around the tools' own text: once, and per tool. */
export const TOOLS_PROMPT_BYTES = { fixed: 192, perTool: 64 } as const

const utf8 = new TextEncoder()

/**
 * The most UTF-8 bytes the runtime's tools prompt can have for tools whose
 * name, description and parameters (JSON text) are given: what a client adds
 * to the prompt tokens it lets a provider bill.
 */
export function toolsPromptBytesBound(
  tools: ReadonlyArray<{ name: string; description: string; parameters: string }>,
): number {
  const bytes = (text: string): number => utf8.encode(text).byteLength
  return tools.reduce<number>(
    (n, t) =>
      n + TOOLS_PROMPT_BYTES.perTool + bytes(t.name) + bytes(t.description) + bytes(t.parameters || '{}'),
    TOOLS_PROMPT_BYTES.fixed,
  )
}
