import { DType, JobErrorCode, RejectReason, TensorHeader, Usage } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import {
  DeadlineExceededError,
  QueueFullError,
  TensorMalformedError,
  TensorTooLargeError,
} from '../../src/errors.js'
import { float32Tensor } from '../../src/tensor/tensor.js'
import type { DType as RuntimeDType } from '../../src/types.js'
import {
  dtypeFromWire,
  dtypeToWire,
  gpuInfo,
  jobErrorCode,
  rejectReason,
  tensorHeader,
  usageToWire,
} from '../../src/wire.js'
import { cpuHardware } from '../helpers.js'

describe('wire conversions', () => {
  it('round-trips every dtype and rejects UNSPECIFIED', () => {
    for (const d of ['float32', 'float16', 'int32', 'int64', 'uint8', 'int8', 'bool'] as RuntimeDType[]) {
      expect(dtypeFromWire(dtypeToWire(d))).toBe(d)
    }
    expect(() => dtypeFromWire(DType.DTYPE_UNSPECIFIED)).toThrow(TensorMalformedError)
  })

  it('builds a tensor header that encodes with the protocol codec', () => {
    const header = tensorHeader(float32Tensor('A', [2, 2], Float32Array.of(1, 2, 3, 4)))
    const decoded = TensorHeader.decode(TensorHeader.encode(header))
    expect(decoded.shape).toEqual([2n, 2n])
    expect(decoded.byteLength).toBe(16n)
    expect(decoded.sha256.length).toBe(32)
    expect(decoded.dtype).toBe(DType.DTYPE_FLOAT32)
  })

  it('usage, GpuInfo and error codes', () => {
    const usage = usageToWire({ promptTokens: 3, completionTokens: 5 }, 0.5, 7n)
    expect(Usage.decode(Usage.encode(usage))).toEqual({ ...usage })
    expect(gpuInfo(cpuHardware)).toEqual({ model: 'test cpu', vramMb: 0, backend: 'cpu' })
    expect(jobErrorCode(new TensorTooLargeError('x'))).toBe(JobErrorCode.JOB_ERROR_CODE_TOO_LARGE)
    expect(jobErrorCode(new DeadlineExceededError('x'))).toBe(JobErrorCode.JOB_ERROR_CODE_DEADLINE)
    expect(jobErrorCode(new Error('boom'))).toBe(JobErrorCode.JOB_ERROR_CODE_INTERNAL)
    expect(rejectReason(new QueueFullError('x'))).toBe(RejectReason.REJECT_REASON_OVER_CAPACITY)
  })
})
