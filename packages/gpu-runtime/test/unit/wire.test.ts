import { DType, JobErrorCode, RejectReason, TensorHeader, Usage } from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import {
  AbortedError,
  DeadlineExceededError,
  GenerationError,
  GraphInvalidError,
  GraphTooLargeError,
  InvalidInputError,
  InvalidRequestError,
  QueueFullError,
  RuntimeClosedError,
  TensorDisabledError,
  TensorMalformedError,
  TensorRunError,
  TensorShapeError,
  TensorTooLargeError,
  UnknownModelError,
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

  it('maps runtime errors to JobError codes by class', () => {
    const cases: Array<[unknown, JobErrorCode]> = [
      [new AbortedError('x'), JobErrorCode.JOB_ERROR_CODE_CANCELLED],
      [new DeadlineExceededError('x'), JobErrorCode.JOB_ERROR_CODE_DEADLINE],
      [new TensorTooLargeError('x'), JobErrorCode.JOB_ERROR_CODE_TOO_LARGE],
      [new GraphTooLargeError('x'), JobErrorCode.JOB_ERROR_CODE_TOO_LARGE],
      [new InvalidRequestError('x'), JobErrorCode.JOB_ERROR_CODE_BAD_INPUT],
      [new TensorMalformedError('x'), JobErrorCode.JOB_ERROR_CODE_BAD_INPUT],
      [new TensorShapeError('x'), JobErrorCode.JOB_ERROR_CODE_BAD_INPUT],
      [new GraphInvalidError('x'), JobErrorCode.JOB_ERROR_CODE_BAD_INPUT],
      [new UnknownModelError('x'), JobErrorCode.JOB_ERROR_CODE_BAD_INPUT],
      [new TensorRunError('x'), JobErrorCode.JOB_ERROR_CODE_INTERNAL],
      [new GenerationError('x'), JobErrorCode.JOB_ERROR_CODE_INTERNAL],
      [new Error('boom'), JobErrorCode.JOB_ERROR_CODE_INTERNAL],
      ['not an error', JobErrorCode.JOB_ERROR_CODE_INTERNAL],
    ]
    for (const [error, code] of cases) expect([error, jobErrorCode(error)]).toEqual([error, code])
  })

  it('matches by class, not by a look-alike code string', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'ERR_INVALID_REQUEST' })
    expect(jobErrorCode(lookAlike)).toBe(JobErrorCode.JOB_ERROR_CODE_INTERNAL)
    expect(rejectReason(Object.assign(new Error('x'), { code: 'ERR_QUEUE_FULL' }))).toBe(
      RejectReason.REJECT_REASON_BAD_REQUEST,
    )
  })

  it('InvalidInputError is the one class of client-fault errors', () => {
    for (const e of [
      new InvalidRequestError('x'),
      new TensorMalformedError('x'),
      new TensorShapeError('x'),
      new GraphInvalidError('x'),
    ])
      expect(e).toBeInstanceOf(InvalidInputError)
    for (const e of [new UnknownModelError('x'), new TensorRunError('x'), new GraphTooLargeError('x')])
      expect(e).not.toBeInstanceOf(InvalidInputError)
  })

  it('maps admission errors to JobReject reasons by class', () => {
    const cases: Array<[unknown, RejectReason]> = [
      [new QueueFullError('x'), RejectReason.REJECT_REASON_OVER_CAPACITY],
      [new RuntimeClosedError('x'), RejectReason.REJECT_REASON_OVER_CAPACITY],
      [new TensorDisabledError('x'), RejectReason.REJECT_REASON_OVER_CAPACITY],
      [new UnknownModelError('x'), RejectReason.REJECT_REASON_UNKNOWN_MODEL],
      [new DeadlineExceededError('x'), RejectReason.REJECT_REASON_DEADLINE_IMPOSSIBLE],
      [new InvalidRequestError('x'), RejectReason.REJECT_REASON_BAD_REQUEST],
      [new AbortedError('x'), RejectReason.REJECT_REASON_BAD_REQUEST],
      [new Error('boom'), RejectReason.REJECT_REASON_BAD_REQUEST],
    ]
    for (const [error, reason] of cases) expect([error, rejectReason(error)]).toEqual([error, reason])
  })
})
