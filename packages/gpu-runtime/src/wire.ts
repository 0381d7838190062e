/**
 * Conversions between the runtime's types and the wire messages of
 * `@cocoon-mesh/protocol`, for the job protocol that streams tokens and
 * tensors: dtypes, tensor headers, usage, the Offer's GpuInfo and error codes.
 */
import { createHash } from 'node:crypto'
import {
  type ContextLimit,
  type GenerationConstraints,
  type GpuInfo,
  JobErrorCode,
  OutputConstraintKind,
  RejectReason,
  type TensorHeader,
  type WireConstraints,
  DType as WireDType,
  type Usage as WireUsage,
} from '@cocoon-mesh/protocol'
import {
  AbortedError,
  ContextLengthExceededError,
  DeadlineExceededError,
  EmbeddingUnsupportedError,
  GraphTooLargeError,
  InvalidInputError,
  InvalidRequestError,
  QueueFullError,
  RuntimeClosedError,
  TensorDisabledError,
  TensorMalformedError,
  TensorTooLargeError,
  UnknownModelError,
} from './errors.js'
import { describeCompute } from './hardware.js'
import type { DType, HardwareInfo, JsonSchema, Tensor, Usage } from './types.js'

const TO_WIRE: Record<DType, WireDType> = {
  float32: WireDType.DTYPE_FLOAT32,
  float16: WireDType.DTYPE_FLOAT16,
  int32: WireDType.DTYPE_INT32,
  int64: WireDType.DTYPE_INT64,
  uint8: WireDType.DTYPE_UINT8,
  int8: WireDType.DTYPE_INT8,
  bool: WireDType.DTYPE_BOOL,
}

export function dtypeToWire(dtype: DType): WireDType {
  return TO_WIRE[dtype]
}

/** The errors {@link dtypeFromWire} throws. */
export type DtypeFromWireErrorType = TensorMalformedError

/**
 * The runtime dtype of a wire dtype.
 * @throws {DtypeFromWireErrorType} for `DTYPE_UNSPECIFIED` or an unknown value.
 */
export function dtypeFromWire(dtype: WireDType): DType {
  for (const [k, v] of Object.entries(TO_WIRE)) if (v === dtype) return k as DType
  throw new TensorMalformedError(`Unsupported tensor dtype ${String(dtype)}`, {
    details: `Supported: ${Object.values(TO_WIRE).join(', ')}`,
  })
}

/** The header sent before a tensor's chunks (sha256 over the data). */
export function tensorHeader(tensor: Tensor): TensorHeader {
  return {
    name: tensor.name,
    dtype: dtypeToWire(tensor.dtype),
    shape: tensor.shape.map((d) => BigInt(d)),
    byteLength: BigInt(tensor.data.byteLength),
    sha256: new Uint8Array(createHash('sha256').update(tensor.data).digest()),
  }
}

/** Usage for a JobResult / UsageReceipt; `cost` in nanoTON is the caller's pricing. */
export function usageToWire(usage: Partial<Usage>, gflop = 0, cost = 0n): WireUsage {
  return {
    promptTokens: usage.promptTokens ?? 0,
    cachedTokens: usage.cachedTokens ?? 0,
    completionTokens: usage.completionTokens ?? 0,
    reasoningTokens: usage.reasoningTokens ?? 0,
    gflop,
    cost,
  }
}

/** The Offer's GpuInfo: the first NVIDIA GPU, else the CPU; `backend` as detected. */
export function gpuInfo(hardware: HardwareInfo): GpuInfo {
  const c = describeCompute(hardware)
  return { model: c.model, vramMb: c.vramMb, backend: c.backend }
}

/**
 * Maps a runtime error to the JobError code a client receives, by class:
 * aborted, deadline, too large, the client's own input ({@link InvalidInputError}
 * or a model this provider does not serve), else internal.
 */
export function jobErrorCode(error: unknown): JobErrorCode {
  if (error instanceof AbortedError) return JobErrorCode.JOB_ERROR_CODE_CANCELLED
  if (error instanceof DeadlineExceededError) return JobErrorCode.JOB_ERROR_CODE_DEADLINE
  if (error instanceof TensorTooLargeError || error instanceof GraphTooLargeError)
    return JobErrorCode.JOB_ERROR_CODE_TOO_LARGE
  if (error instanceof InvalidInputError || error instanceof UnknownModelError)
    return JobErrorCode.JOB_ERROR_CODE_BAD_INPUT
  return JobErrorCode.JOB_ERROR_CODE_INTERNAL
}

/** The JobError's context limit of a prompt over the context (the error's counts), else undefined. */
export function contextLimitOf(error: unknown): ContextLimit | undefined {
  if (!(error instanceof ContextLengthExceededError)) return undefined
  const { contextSize, promptTokens, maxTokens } = error
  return { contextSize, promptTokens, maxTokens }
}

/** Maps an error thrown synchronously by `generate()` / admission to a JobReject reason, by class. */
export function rejectReason(error: unknown): RejectReason {
  if (
    error instanceof QueueFullError ||
    error instanceof RuntimeClosedError ||
    error instanceof TensorDisabledError
  )
    return RejectReason.REJECT_REASON_OVER_CAPACITY
  if (error instanceof UnknownModelError || error instanceof EmbeddingUnsupportedError)
    return RejectReason.REJECT_REASON_UNKNOWN_MODEL
  if (error instanceof DeadlineExceededError) return RejectReason.REJECT_REASON_DEADLINE_IMPOSSIBLE
  return RejectReason.REJECT_REASON_BAD_REQUEST
}

/** The errors {@link constraintsFromWire} throws. */
export type ConstraintsFromWireErrorType = InvalidRequestError

function parseSchema(field: string, text: string): JsonSchema {
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonSchema
  } catch {
    // reported below, with the field
  }
  throw new InvalidRequestError(`Invalid ${field}`, {
    details: `${field} must be the JSON text of a JSON schema object.`,
  })
}

/**
 * The runtime's constraints of a job's LlmParams (validated by
 * `validateJobRequest` first; a schema that does not parse is refused here too).
 * @throws {ConstraintsFromWireErrorType}
 */
export function constraintsFromWire(llm: WireConstraints): GenerationConstraints {
  const out: GenerationConstraints = {}
  if (llm.stop.length > 0) out.stop = [...llm.stop]
  if (llm.topP !== 0) out.topP = llm.topP
  if (llm.presencePenalty !== 0) out.presencePenalty = llm.presencePenalty
  if (llm.frequencyPenalty !== 0) out.frequencyPenalty = llm.frequencyPenalty
  const c = llm.constraint
  if (c?.kind === OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_OBJECT)
    out.responseFormat = { type: 'json_object' }
  else if (c?.kind === OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA)
    out.responseFormat = { type: 'json_schema', schema: parseSchema('constraint.jsonSchema', c.jsonSchema) }
  else if (c?.kind === OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_GRAMMAR)
    out.responseFormat = { type: 'grammar', grammar: c.grammar }
  if (llm.tools.length > 0) {
    out.tools = llm.tools.map((t) => ({
      name: t.name,
      ...(t.description === '' ? {} : { description: t.description }),
      ...(t.parameters === '' ? {} : { parameters: parseSchema('tools[].parameters', t.parameters) }),
    }))
  }
  if (llm.toolChoice === 'function') out.toolChoice = { name: llm.toolChoiceName }
  else if (llm.toolChoice === 'auto' || llm.toolChoice === 'none' || llm.toolChoice === 'required')
    out.toolChoice = llm.toolChoice
  return out
}
