/** The numeric leaves of a summary as `dot.path → value`, keys sorted, so every run gives the same columns. */
export function numericLeaves(
  value: unknown,
  prefix = '',
  into: Record<string, number> = {},
): Record<string, number> {
  if (typeof value === 'number') {
    into[prefix] = value
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value).sort())
      numericLeaves((value as Record<string, unknown>)[key], prefix === '' ? key : `${prefix}.${key}`, into)
  }
  return into
}
