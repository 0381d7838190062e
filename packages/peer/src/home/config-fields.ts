/** Checks of config fields, shared by the sections of the config schema. */
import { MalformedConfigError } from './errors.js'

/** The error for a config field that is not what it should be: where it is, what was expected, what was found. */
export function bad(source: string, field: string, expected: string, got?: unknown): MalformedConfigError {
  const where = field === '' ? source : `${field} in ${source}`
  return new MalformedConfigError(`Invalid ${where}`, {
    details: `Expected ${expected}${got === undefined ? '' : `, got ${JSON.stringify(got)?.slice(0, 80)}`}.`,
  })
}

export function strings(source: string, field: string, value: unknown, fallback: string[]): string[] {
  if (value === undefined) return [...fallback]
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw bad(source, field, 'an array of strings', value)
  return value
}

export function str(source: string, field: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback
  if (typeof value !== 'string') throw bad(source, field, 'a string', value)
  return value
}

export function nano(source: string, field: string, value: unknown, fallback: bigint): bigint {
  if (value === undefined) return fallback
  if (
    (typeof value === 'string' && /^\d+$/.test(value)) ||
    (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)
  )
    return BigInt(value)
  throw bad(source, field, 'nanoTON as a decimal string, e.g. "100000"', value)
}

export function bool(source: string, field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw bad(source, field, 'true or false', value)
  return value
}

export function int(source: string, field: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw bad(source, field, 'a non-negative integer', value)
  return value
}

export function positive(source: string, field: string, value: unknown, fallback: number): number {
  const n = int(source, field, value, fallback)
  if (n === 0) throw bad(source, field, 'a positive integer', value)
  return n
}
