import {
  canonicalModelId,
  InvalidFieldError,
  JobKind,
  type JobRequest,
  PROTOCOL_VERSION,
  type Prices,
  RejectReason,
  validateEmbeddingParams,
  validateLlmConstraints,
} from '@cocoon-mesh/protocol'

export interface ValidationFailure {
  reason: RejectReason
  message: string
}

export interface ValidateContext {
  /** The provider's offer prices. */
  price: Prices
  now: number
  models: string[]
  /** The models that embed (none when omitted). */
  embeddingModels?: string[]
  /** Minimum ms left before the deadline to accept a job. Default 100. */
  minDeadlineMs?: number
}

const MAX_JOB_ID = 128
const MAX_PROMPT_CHARS = 1_000_000
const MAX_TOKENS = 32_768
const MAX_TENSOR_INPUTS = 16

/** The message of the InvalidFieldError `check` throws (with what to fix), or undefined when it passes. */
function fieldFailure(check: () => void): string | undefined {
  try {
    check()
    return undefined
  } catch (error) {
    if (error instanceof InvalidFieldError) return `${error.shortMessage}: ${error.details ?? ''}`.trim()
    throw error
  }
}

function serves(models: readonly string[], model: string): boolean {
  return models.some((m) => canonicalModelId(m) === canonicalModelId(model))
}

function unknownModel(model: string, models: readonly string[], what = 'served'): ValidationFailure {
  return {
    reason: RejectReason.REJECT_REASON_UNKNOWN_MODEL,
    message: `model "${model}" is not ${what} here; ${what}: ${models.join(', ') || 'none'}`,
  }
}

/**
 * Checks a JobRequest against what this provider serves and charges. Pure.
 * Returns the typed reject reason, or undefined when the job is acceptable.
 */
export function validateRequest(request: JobRequest, ctx: ValidateContext): ValidationFailure | undefined {
  const bad = (message: string): ValidationFailure => ({
    reason: RejectReason.REJECT_REASON_BAD_REQUEST,
    message,
  })
  if (request.version !== PROTOCOL_VERSION) return bad(`unsupported job protocol version ${request.version}`)
  if (request.jobId.length === 0 || request.jobId.length > MAX_JOB_ID)
    return bad('job id must be 1..128 characters')
  if (request.kind === JobKind.JOB_KIND_LLM) {
    const llm = request.llm
    if (llm === undefined) return bad('an LLM job needs llm params')
    if (llm.prompt === '' && llm.messages.length === 0) return bad('an LLM job needs a prompt or messages')
    const chars =
      llm.prompt.length + llm.continuation.length + llm.messages.reduce((n, m) => n + m.content.length, 0)
    if (chars > MAX_PROMPT_CHARS)
      return bad(`prompt is ${chars} characters; the limit is ${MAX_PROMPT_CHARS}`)
    if (llm.maxTokens > MAX_TOKENS) return bad(`max_tokens ${llm.maxTokens} is above ${MAX_TOKENS}`)
    const constraints = fieldFailure(() => validateLlmConstraints(llm))
    if (constraints !== undefined) return bad(constraints)
    if (!serves(ctx.models, request.model)) return unknownModel(request.model, ctx.models)
  } else if (request.kind === JobKind.JOB_KIND_EMBEDDING) {
    const embedding = request.embedding
    if (embedding === undefined) return bad('an embedding job needs embedding params')
    const inputs = fieldFailure(() => validateEmbeddingParams(embedding))
    if (inputs !== undefined) return bad(inputs)
    const chars = embedding.inputs.reduce((n, t) => n + t.length, 0)
    if (chars > MAX_PROMPT_CHARS)
      return bad(`inputs are ${chars} characters; the limit is ${MAX_PROMPT_CHARS}`)
    const models = ctx.embeddingModels ?? []
    if (!serves(models, request.model)) return unknownModel(request.model, models, 'embedded')
  } else if (request.kind === JobKind.JOB_KIND_TENSOR) {
    const tensor = request.tensor
    if (tensor === undefined) return bad('a tensor job needs tensor params')
    if (tensor.op !== 'matmul' && tensor.op !== 'onnx') return bad(`unknown tensor op "${tensor.op}"`)
    if (tensor.inputCount < 1 || tensor.inputCount > MAX_TENSOR_INPUTS)
      return bad('a tensor job takes 1..16 inputs')
  } else {
    return bad(`unknown job kind ${request.kind}`)
  }
  const max = request.maxPrice
  if (max !== undefined) {
    const tooLow =
      request.kind === JobKind.JOB_KIND_EMBEDDING
        ? max.perKPromptTokens < ctx.price.perKPromptTokens
        : request.kind === JobKind.JOB_KIND_LLM
          ? max.perKPromptTokens < ctx.price.perKPromptTokens ||
            max.perKCompletionTokens < ctx.price.perKCompletionTokens
          : max.perTensorGflop < ctx.price.perTensorGflop
    if (tooLow) {
      return {
        reason: RejectReason.REJECT_REASON_PRICE_TOO_LOW,
        message: `max price is below this provider's price (${ctx.price.perKPromptTokens}/${ctx.price.perKCompletionTokens} per 1k tokens, ${ctx.price.perTensorGflop} per GFLOP)`,
      }
    }
  }
  if (request.deadline > 0n && Number(request.deadline) - ctx.now < (ctx.minDeadlineMs ?? 100)) {
    return {
      reason: RejectReason.REJECT_REASON_DEADLINE_IMPOSSIBLE,
      message: 'the deadline has passed or is too close',
    }
  }
  return undefined
}
