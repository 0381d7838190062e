import { describe, expect, it } from 'vitest'
import {
  AbortedError,
  BadSignatureError,
  CocoonError,
  DeadlineExceededError,
  describeError,
  ExpiredError,
  InvalidFieldError,
  isCocoonError,
  isIgnorable,
  isRejectable,
  MalformedMessageError,
  MessageTooLargeError,
  NotYetValidError,
  StreamEndedError,
  TensorTooLargeError,
  UnsupportedVersionError,
  walkCauses,
} from '../../src/errors.js'

describe('CocoonError', () => {
  it('carries code, name, shortMessage and details, and folds details into message', () => {
    const plain = new StreamEndedError('stream ended')
    expect(plain.code).toBe('ERR_STREAM_ENDED')
    expect(plain.name).toBe('StreamEndedError')
    expect(plain.message).toBe('stream ended')
    expect(plain.details).toBeUndefined()
    const detailed = new MessageTooLargeError('too big', { details: 'limit 10', size: 11, limit: 10 })
    expect(detailed.shortMessage).toBe('too big')
    expect(detailed.details).toBe('limit 10')
    expect(detailed.message).toBe('too big\n\nDetails: limit 10')
    expect([detailed.size, detailed.limit]).toEqual([11, 10])
    expect(detailed).toBeInstanceOf(CocoonError)
    expect(detailed).toBeInstanceOf(Error)
    expect(isCocoonError(detailed)).toBe(true)
    expect(isCocoonError(new Error('x'))).toBe(false)
  })
})

describe('walk()', () => {
  it('returns the deepest cause, or the error itself when it has none', () => {
    const root = new Error('ECONNRESET')
    const middle = new StreamEndedError('stream ended', { cause: root })
    const top = new AbortedError('aborted', { cause: middle })
    expect(top.walk()).toBe(root)
    expect(middle.walk()).toBe(root)
    const alone = new DeadlineExceededError('late')
    expect(alone.walk()).toBe(alone)
  })

  it('stops at a cause that is not an Error and returns it', () => {
    const top = new AbortedError('aborted', { cause: 'user pressed ctrl-c' })
    expect(top.walk()).toBe('user pressed ctrl-c')
  })

  it('with a predicate, returns the first match from the top (itself included), else null', () => {
    const root = new BadSignatureError('bad signature')
    const middle = new StreamEndedError('stream ended', { cause: root })
    const top = new AbortedError('aborted', { cause: middle })
    expect(top.walk((e) => e instanceof BadSignatureError)).toBe(root)
    expect(top.walk((e) => e instanceof CocoonError)).toBe(top)
    expect(top.walk((e) => e instanceof StreamEndedError)).toBe(middle)
    expect(top.walk((e) => e instanceof ExpiredError)).toBeNull()
  })

  it('is safe on a cause cycle', () => {
    const a = new StreamEndedError('a')
    const b = new AbortedError('b', { cause: a })
    Object.defineProperty(a, 'cause', { value: b })
    expect(a.walk()).toBe(b)
    expect(b.walk()).toBe(a)
    expect(a.walk((e) => e instanceof ExpiredError)).toBeNull()
    const self = new Error('self')
    self.cause = self
    expect(walkCauses(self)).toBe(self)
  })

  it('walkCauses follows plain Errors and foreign values alike', () => {
    const inner = new TensorTooLargeError('huge')
    const outer = new Error('wrapper', { cause: inner })
    expect(walkCauses(outer)).toBe(inner)
    expect(walkCauses(outer, (e) => e instanceof TensorTooLargeError)).toBe(inner)
    expect(walkCauses('just a string')).toBe('just a string')
    expect(walkCauses('just a string', (e) => e instanceof Error)).toBeNull()
  })
})

describe('isRejectable / isIgnorable', () => {
  it('classify by class: sender faults reject, clock faults ignore', () => {
    for (const e of [
      new MessageTooLargeError('x'),
      new MalformedMessageError('x'),
      new BadSignatureError('x'),
      new UnsupportedVersionError('x'),
      new InvalidFieldError('x', { field: 'prices' }),
    ]) {
      expect(isRejectable(e)).toBe(true)
      expect(isIgnorable(e)).toBe(false)
    }
    for (const e of [new ExpiredError('x'), new NotYetValidError('x')]) {
      expect(isIgnorable(e)).toBe(true)
      expect(isRejectable(e)).toBe(false)
    }
    const lookAlike = Object.assign(new Error('x'), { code: 'ERR_BAD_SIGNATURE' })
    expect(isRejectable(lookAlike)).toBe(false)
    expect(isIgnorable(new StreamEndedError('x'))).toBe(false)
  })
})

describe('describeError', () => {
  it('gives short message, details and each cause not already said', () => {
    const root = new Error('connect ECONNREFUSED 127.0.0.1:9')
    const middle = new StreamEndedError('stream ended', { cause: root, details: 'the remote closed it' })
    const top = new AbortedError('job aborted', { details: 'by the caller', cause: middle })
    expect(describeError(top)).toEqual({
      message: 'job aborted',
      details: 'by the caller',
      causes: ['stream ended', 'connect ECONNREFUSED 127.0.0.1:9'],
    })
    const repeated = new StreamEndedError('stream ended', {
      details: `gave up: ${root.message}`,
      cause: root,
    })
    expect(describeError(repeated).causes).toEqual([])
  })

  it('describes plain errors and thrown values, and ends on a cause cycle', () => {
    expect(describeError(new Error('boom'))).toEqual({ message: 'boom', details: undefined, causes: [] })
    expect(describeError('boom')).toEqual({ message: 'boom', details: undefined, causes: [] })
    const a = new StreamEndedError('a')
    const b = new AbortedError('b', { cause: a })
    Object.defineProperty(a, 'cause', { value: b })
    expect(describeError(b).causes).toEqual(['a'])
  })
})
