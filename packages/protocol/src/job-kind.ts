import { InvalidFieldError } from './errors.js'
import { JobKind } from './generated/cocoon.js'

/** The string form of a job kind, as carried in `Offer.job_kinds`. */
export type JobKindName = 'llm' | 'tensor' | 'embedding'

export const JOB_KIND_NAMES: readonly JobKindName[] = ['llm', 'tensor', 'embedding']

export function isJobKindName(value: string): value is JobKindName {
  return value === 'llm' || value === 'tensor' || value === 'embedding'
}

/** `JobKind.JOB_KIND_LLM` -> `'llm'`. Throws InvalidFieldError for `JOB_KIND_UNSPECIFIED`. */
export function jobKindToName(kind: JobKind): JobKindName {
  switch (kind) {
    case JobKind.JOB_KIND_LLM:
      return 'llm'
    case JobKind.JOB_KIND_TENSOR:
      return 'tensor'
    case JobKind.JOB_KIND_EMBEDDING:
      return 'embedding'
    default:
      throw new InvalidFieldError('Job kind is unspecified', {
        field: 'kind',
        details: `Expected JOB_KIND_LLM, JOB_KIND_TENSOR or JOB_KIND_EMBEDDING, got ${String(kind)}.`,
      })
  }
}

/** `'llm'` -> `JobKind.JOB_KIND_LLM`. Throws InvalidFieldError for any other string. */
export function jobKindFromName(name: string): JobKind {
  switch (name) {
    case 'llm':
      return JobKind.JOB_KIND_LLM
    case 'tensor':
      return JobKind.JOB_KIND_TENSOR
    case 'embedding':
      return JobKind.JOB_KIND_EMBEDDING
    default:
      throw new InvalidFieldError(`Unknown job kind "${name.slice(0, 32)}"`, {
        field: 'jobKinds',
        details: `Expected one of ${JOB_KIND_NAMES.map((n) => `"${n}"`).join(', ')}.`,
      })
  }
}
