/**
 * The part of JSON Schema that node-llama-cpp turns into a grammar. A schema
 * keyword outside it would be silently ignored while decoding (the output
 * would not validate), so a schema using one is refused, naming the keyword.
 */
import { InvalidRequestError } from '../errors.js'
import type { JsonSchema } from '../types.js'

/**
 * Keywords that constrain and that node-llama-cpp's grammar honours. `format`
 * is left out: its date grammar admits 2021-02-31, so it is refused.
 */
const CONSTRAINING = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'oneOf',
  '$ref',
  '$defs',
  'minLength',
  'maxLength',
])

/** Keywords that only annotate (no effect on what validates). */
const ANNOTATIONS = new Set([
  'description',
  'title',
  '$schema',
  '$id',
  '$comment',
  'default',
  'examples',
  'deprecated',
])

/** Deepest nesting of subschemas accepted (a hostile schema could otherwise overflow the stack). */
export const MAX_SCHEMA_DEPTH = 32

/** The errors {@link checkGrammarSchema} throws. */
export type CheckGrammarSchemaErrorType = InvalidRequestError

/**
 * Throws InvalidRequestError when `schema` uses a keyword the grammar cannot
 * enforce, or nests
 * deeper than {@link MAX_SCHEMA_DEPTH}.
 * @throws {CheckGrammarSchemaErrorType}
 */
export function checkGrammarSchema(field: string, schema: unknown, path = '#', depth = 0): void {
  const refuse = (what: string): never => {
    throw new InvalidRequestError(`${field} uses ${what}, which constrained decoding cannot enforce`, {
      details: `At ${path}. Supported keywords: ${[...CONSTRAINING].join(', ')}. Remove it or validate that part yourself.`,
    })
  }
  if (depth > MAX_SCHEMA_DEPTH) refuse(`nesting deeper than ${MAX_SCHEMA_DEPTH}`)
  if (typeof schema === 'boolean') return
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    refuse('a subschema that is not an object')
  const s = schema as JsonSchema
  for (const key of Object.keys(s)) {
    if (!CONSTRAINING.has(key) && !ANNOTATIONS.has(key)) refuse(`"${key.slice(0, 40)}"`)
  }
  const sub = (value: unknown, at: string): void => checkGrammarSchema(field, value, at, depth + 1)
  for (const key of ['properties', '$defs'] as const) {
    const map = s[key]
    if (map === undefined) continue
    if (typeof map !== 'object' || map === null) refuse(`a "${key}" that is not an object`)
    for (const [name, value] of Object.entries(map as JsonSchema)) sub(value, `${path}/${key}/${name}`)
  }
  for (const key of ['prefixItems', 'oneOf'] as const) {
    const list = s[key]
    if (list === undefined) continue
    if (!Array.isArray(list)) refuse(`a "${key}" that is not an array`)
    for (const [i, value] of (list as unknown[]).entries()) sub(value, `${path}/${key}/${i}`)
  }
  if (s.items !== undefined) sub(s.items, `${path}/items`)
  if (typeof s.additionalProperties === 'object') sub(s.additionalProperties, `${path}/additionalProperties`)
}
