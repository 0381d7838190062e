/**
 * A request as llama.cpp tokens: through the model's chat template (tools
 * first) or as a raw prompt with its BOS token, and whether it fits the context.
 */
import type { ChatHistoryItem, Token } from 'node-llama-cpp'
import { ContextLengthExceededError } from '../errors.js'
import type { ChatMessage, GenerateRequest } from '../types.js'
import { toolCallText, toolResultText, toolsPrompt } from './llama-grammar.js'
import type { LoadedLlamaModel } from './llama-model.js'
import { usesTools } from './request.js'

/** Throws ContextLengthExceededError when the rendered prompt plus maxTokens do not fit the model's context. */
export function checkContextSize(m: LoadedLlamaModel, request: GenerateRequest, promptTokens: number): void {
  const contextSize = m.context.contextSize
  const { maxTokens } = request
  if (promptTokens + maxTokens > contextSize) {
    throw new ContextLengthExceededError(`The prompt and maxTokens exceed the context of ${request.model}`, {
      contextSize,
      promptTokens,
      maxTokens,
      details: `${promptTokens} prompt tokens + ${maxTokens} maxTokens > ${contextSize} context tokens. Shorten the prompt or lower maxTokens.`,
    })
  }
}

/**
 * The messages as node-llama-cpp history: an assistant's tool calls follow
 * its text in its turn, and a tool's result is a user turn naming the call.
 */
function chatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const names = new Map<string, string>()
  return messages.map((message): ChatHistoryItem => {
    if (message.role === 'system') return { type: 'system', text: message.content }
    if (message.role === 'assistant') {
      const calls = message.toolCalls ?? []
      for (const call of calls) names.set(call.id, call.name)
      const parts = [message.content, ...calls.map(toolCallText)].filter((p) => p !== '')
      return { type: 'model', response: [parts.join('\n')] }
    }
    if (message.role === 'tool' && message.toolCallId !== undefined) {
      const id = message.toolCallId
      return { type: 'user', text: toolResultText(names.get(id), id, message.content) }
    }
    return { type: 'user', text: message.content }
  })
}

export function tokenizeRequest(m: LoadedLlamaModel, request: GenerateRequest): Token[] {
  const { model } = m
  const continuation = request.continuation ?? ''
  const tools = usesTools(request) ? toolsPrompt(request.tools ?? []) : undefined
  if (request.messages !== undefined) {
    const history: ChatHistoryItem[] = tools === undefined ? [] : [{ type: 'system', text: tools }]
    history.push(...chatHistory(request.messages))
    history.push({ type: 'model', response: continuation === '' ? [] : [continuation] })
    const wrapper = m.chatWrapper
    const { contextText } = wrapper.generateContextState({ chatHistory: history })
    return contextText.tokenize(model.tokenizer)
  }
  const text = `${tools === undefined ? '' : `${tools}\n\n`}${request.prompt ?? ''}${continuation}`
  const tokens = model.tokenize(text, false)
  const bos = model.tokens.bos
  return model.tokens.shouldPrependBosToken && bos !== null ? [bos, ...tokens] : tokens
}
