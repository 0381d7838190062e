/**
 * One generation on a llama.cpp context sequence: the sampling options of a
 * request, the token loop through the stop filter and the grammar, and how it ended.
 */
import type {
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  SequenceEvaluateOptions,
  Token,
} from 'node-llama-cpp'
import type { FinishReason, GenerateRequest, GenerationResult, TokenChunk, Usage } from '../types.js'
import { JSON_SUFFIX, type LlamaConstraint, parseToolCall } from './llama-grammar.js'
import type { LoadedLlamaModel } from './llama-model.js'
import { StoppingEmitter } from './stop.js'
import type { StreamProducerContext } from './stream.js'

/** Generated tokens the presence and frequency penalties look back over. */
const PENALTY_WINDOW = 64

export interface Evaluated {
  finishReason: FinishReason
  /** The completion as emitted (stop string and trailing grammar whitespace left out). */
  text: string
}

/**
 * Evaluates the prompt on `sequence` and streams the completion into `ctx`
 * through the stop filter, counting tokens in `usage`. Returns how it ended,
 * or undefined when ctx.signal fired between tokens.
 */
export async function evaluate(
  m: LoadedLlamaModel,
  sequence: LlamaContextSequence,
  inputTokens: Token[],
  request: GenerateRequest,
  constraint: LlamaConstraint,
  usage: Usage,
  ctx: StreamProducerContext,
): Promise<Evaluated | undefined> {
  await sequence.clearHistory()
  const generated: Token[] = []
  const generator = sequence.evaluate(
    inputTokens,
    await samplingOptions(m, request, constraint.grammar, generated),
  )
  const text = new TokenText(m.model)
  const out = new StoppingEmitter(
    (chunk) => ctx.emit(chunk),
    request.stop,
    constraint.grammar?.trimWhitespaceSuffix,
  )
  let finishReason: FinishReason = 'length'
  for await (const token of generator) {
    if (ctx.signal.aborted) return undefined
    if (m.model.isEogToken(token)) {
      finishReason = 'stop'
      break
    }
    usage.completionTokens++
    generated.push(token)
    const chunk = text.push(token)
    if (chunk !== undefined && out.push(chunk)) {
      finishReason = 'stop'
      break
    }
    if (jsonDone(constraint, out)) {
      finishReason = 'stop'
      break
    }
    if (usage.completionTokens >= request.maxTokens) break
  }
  // a grammar that is complete ends the evaluation without an end-of-generation token
  if (finishReason === 'length' && usage.completionTokens < request.maxTokens) finishReason = 'stop'
  const rest = text.flush()
  if (rest !== undefined) out.push(rest)
  out.finish()
  return { finishReason, text: out.text }
}

/**
 * True once a JSON value is complete under a grammar that then allows blank
 * lines without end (in auto tool mode only when the output is a call).
 */
function jsonDone(constraint: LlamaConstraint, out: StoppingEmitter): boolean {
  if (!constraint.endsWithBlankLines || !out.heldWhitespace.includes(JSON_SUFFIX)) return false
  return constraint.toolMode !== 'auto' || out.text.trimStart().startsWith('{')
}

/** Temperature, seed, top-p, presence/frequency penalties over the generated tokens, and the grammar. */
async function samplingOptions(
  m: LoadedLlamaModel,
  request: GenerateRequest,
  grammar: LlamaGrammar | undefined,
  generated: Token[],
): Promise<SequenceEvaluateOptions> {
  const temperature = request.temperature ?? 0
  const options: SequenceEvaluateOptions = {
    temperature,
    seed: request.seed ?? (temperature > 0 ? Math.floor(Math.random() * 2 ** 31) : 0),
  }
  if (request.topP !== undefined) options.topP = request.topP
  const presencePenalty = request.presencePenalty ?? 0
  const frequencyPenalty = request.frequencyPenalty ?? 0
  if (presencePenalty !== 0 || frequencyPenalty !== 0) {
    options.repeatPenalty = {
      punishTokens: () => generated.slice(-PENALTY_WINDOW),
      maxPunishTokens: PENALTY_WINDOW,
      penalty: 1,
      presencePenalty,
      frequencyPenalty,
    }
  }
  if (grammar !== undefined) {
    const { LlamaGrammarEvaluationState } = await import('node-llama-cpp')
    options.grammarEvaluationState = new LlamaGrammarEvaluationState({ model: m.model, grammar })
  }
  return options
}

/** Detokenizes a token stream into chunks, holding back a partial UTF-8 character until the next token completes it. */
class TokenText {
  private readonly pending: Token[] = []
  /** The last few emitted tokens, the context detokenize() needs to space the next ones right. */
  private readonly recent: Token[] = []

  constructor(private readonly model: LlamaModel) {}

  push(token: Token): TokenChunk | undefined {
    this.pending.push(token)
    const text = this.model.detokenize(this.pending, false, this.recent)
    if (text.endsWith('\uFFFD') && this.pending.length < 4) return undefined
    const chunk = { text, tokens: this.pending.length }
    this.recent.push(...this.pending)
    if (this.recent.length > 8) this.recent.splice(0, this.recent.length - 8)
    this.pending.length = 0
    return chunk
  }

  /** The tokens still held back, when the stream ends. */
  flush(): TokenChunk | undefined {
    if (this.pending.length === 0) return undefined
    return { text: this.model.detokenize(this.pending, false, this.recent), tokens: this.pending.length }
  }
}

/** The finish reason and tool calls of a completed generation. */
export function finished(
  end: Evaluated,
  constraint: LlamaConstraint,
): Pick<GenerationResult, 'finishReason' | 'toolCalls'> {
  // a completion cut by maxTokens is incomplete JSON: it stays `length`, with no call
  if (constraint.tools === undefined || end.finishReason !== 'stop') return { finishReason: end.finishReason }
  const call = parseToolCall(end.text, constraint.tools)
  if (call === undefined) return { finishReason: 'stop' }
  return { finishReason: 'tool_calls', toolCalls: [call] }
}
