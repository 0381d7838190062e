/**
 * What a client asks one provider for: the JobRequest of an attempt (the
 * most it pays, the budget left, the deadline) and the bound on the prompt
 * tokens that provider may bill.
 */

import {
  type ChatMessage,
  JobKind,
  type JobRequest,
  PROTOCOL_VERSION,
  type Prices,
  TrustTier,
  toolsPromptBytesBound,
  UNSIGNED_JOB_REQUEST,
} from '@cocoon-mesh/protocol'
import type { CommonJobParams } from './job-types.js'

/** Chat-template tokens a provider may add around the prompt and each message. */
const utf8 = new TextEncoder()

const TEMPLATE_TOKENS = 64
const TEMPLATE_TOKENS_PER_MESSAGE = 16

/** The terms of one attempt a JobRequest carries. */
export interface JobRequestTerms {
  jobId: string
  kind: JobKind
  params: CommonJobParams
  /** The candidate offer's prices: the cap on fields the caller set none for. */
  offerPrices: Prices
  /** What earlier attempts of the job cost. */
  spent: bigint
  /** The job's deadline, Unix ms, if it has one. */
  deadline: number | undefined
}

/** The unsigned JobRequest of an attempt with `body` (the LLM or tensor parameters). */
export function buildJobRequest(
  terms: JobRequestTerms,
  body: Pick<JobRequest, 'llm' | 'tensor' | 'embedding'>,
): JobRequest {
  const { params, kind } = terms
  const max = params.maxPrice
  // LLM and embedding jobs are billed per token, tensor jobs per GFLOP
  const llm = kind !== JobKind.JOB_KIND_TENSOR
  const price = terms.offerPrices
  return {
    version: PROTOCOL_VERSION,
    jobId: terms.jobId,
    kind,
    model: params.model,
    // tell the provider the most we pay: our cap, or its own offer price when we set none
    // (fields that do not apply to this kind of job carry the offer's price)
    maxPrice: {
      perKPromptTokens: (llm ? max?.perKPromptTokens : undefined) ?? price.perKPromptTokens,
      perKCompletionTokens: (llm ? max?.perKCompletionTokens : undefined) ?? price.perKCompletionTokens,
      perTensorGflop: (llm ? undefined : max?.perTensorGflop) ?? price.perTensorGflop,
    },
    budget: params.budget === undefined ? 0n : params.budget - terms.spent,
    channel: '',
    deadline: BigInt(Math.ceil(terms.deadline ?? 0)),
    minTrustTier: params.minTrustTier ?? TrustTier.TRUST_TIER_UNSPECIFIED,
    ...UNSIGNED_JOB_REQUEST,
    ...body,
  }
}

/**
 * The most prompt tokens an LLM request can hold: one per UTF-8 byte of the
 * prompt, messages, continuation and the tools' system message (a byte-level
 * tokenizer never makes more) plus the chat template's tokens around them.
 */
export function promptTokenBound(
  llm: Pick<NonNullable<JobRequest['llm']>, 'prompt' | 'messages' | 'continuation'> &
    Partial<Pick<NonNullable<JobRequest['llm']>, 'tools' | 'toolChoice'>>,
): number {
  const bytes = (text: string): number => utf8.encode(text).byteLength
  const messageBytes = llm.messages.reduce(
    (n, m) => n + bytes(m.role) + bytes(m.content) + toolTurnBytes(m, bytes),
    0,
  )
  // a provider tells the model its tools in a system message of its own
  const tools = llm.tools ?? []
  const toolBytes =
    tools.length > 0 && llm.toolChoice !== 'none'
      ? toolsPromptBytesBound(tools) + TEMPLATE_TOKENS_PER_MESSAGE
      : 0
  return (
    bytes(llm.prompt) +
    messageBytes +
    bytes(llm.continuation) +
    toolBytes +
    TEMPLATE_TOKENS +
    TEMPLATE_TOKENS_PER_MESSAGE * llm.messages.length
  )
}

/** Bytes a provider adds around each earlier tool call or result it renders into the prompt. */
const TOOL_TURN_BYTES = 64

/** The bytes an earlier tool call or result can take in the prompt: its names, ids and arguments, plus the wording around them. */
function toolTurnBytes(m: ChatMessage, bytes: (text: string) => number): number {
  const calls = m.toolCalls.reduce(
    (n, c) => n + bytes(c.id) + bytes(c.name) + bytes(c.arguments) + TOOL_TURN_BYTES,
    0,
  )
  return calls + (m.toolCallId === '' ? 0 : bytes(m.toolCallId) + TOOL_TURN_BYTES * 2)
}

/** Tokens a tokenizer may add around each embedded text (BOS, EOS). */
const EMBEDDING_TOKENS_PER_INPUT = 2

/** The most prompt tokens an embedding job can hold: one per UTF-8 byte of each input plus its special tokens. */
export function embeddingTokenBound(embedding: NonNullable<JobRequest['embedding']>): number {
  return embedding.inputs.reduce(
    (n, input) => n + utf8.encode(input).byteLength + EMBEDDING_TOKENS_PER_INPUT,
    0,
  )
}

export function zeroPrices(): Prices {
  return { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
}
