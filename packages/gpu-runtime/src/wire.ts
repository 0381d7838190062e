/**
 * Conversions between the runtime's types and the wire messages of
 * `@cocoon-mesh/protocol`, for the job protocol that streams tokens and
 * tensors: dtypes, tensor headers, usage, the Offer's GpuInfo and error codes.
 */
import { createHash } from 'node:crypto'
import {
  type GpuInfo,
  JobErrorCode,
  RejectReason,
  type TensorHeader,
  DType as WireDType,
  type Usage as WireUsage,
} from '@cocoon-mesh/protocol'
import { TensorMalformedError } from './errors.js'
import { describeCompute } from './hardware.js'
import type { DType, HardwareInfo, Tensor, Usage } from './types.js'

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

/** Throws `TensorMalformedError` for `DTYPE_UNSPECIFIED` or an unknown value. */
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

/** Maps a runtime error (by its `code`) to the JobError code a client receives. */
export function jobErrorCode(error: unknown): JobErrorCode {
  switch ((error as { code?: string })?.code) {
    case 'ERR_ABORTED':
      return JobErrorCode.JOB_ERROR_CODE_CANCELLED
    case 'ERR_DEADLINE_EXCEEDED':
      return JobErrorCode.JOB_ERROR_CODE_DEADLINE
    case 'ERR_TENSOR_TOO_LARGE':
    case 'ERR_GRAPH_TOO_LARGE':
      return JobErrorCode.JOB_ERROR_CODE_TOO_LARGE
    case 'ERR_INVALID_REQUEST':
    case 'ERR_TENSOR_MALFORMED':
    case 'ERR_TENSOR_SHAPE':
    case 'ERR_GRAPH_INVALID':
    case 'ERR_UNKNOWN_MODEL':
      return JobErrorCode.JOB_ERROR_CODE_BAD_INPUT
    default:
      return JobErrorCode.JOB_ERROR_CODE_INTERNAL
  }
}

/** Maps an error thrown synchronously by `generate()` / admission to a JobReject reason. */
export function rejectReason(error: unknown): RejectReason {
  switch ((error as { code?: string })?.code) {
    case 'ERR_QUEUE_FULL':
    case 'ERR_RUNTIME_CLOSED':
    case 'ERR_TENSOR_DISABLED':
      return RejectReason.REJECT_REASON_OVER_CAPACITY
    case 'ERR_UNKNOWN_MODEL':
      return RejectReason.REJECT_REASON_UNKNOWN_MODEL
    case 'ERR_DEADLINE_EXCEEDED':
      return RejectReason.REJECT_REASON_DEADLINE_IMPOSSIBLE
    default:
      return RejectReason.REJECT_REASON_BAD_REQUEST
  }
}
