import { describeError } from '@cocoon-mesh/protocol'

/**
 * Prints an error the way an operator can act on it and returns the exit
 * code: `cocoon: <short message>`, its details indented, then each cause not
 * already said (`caused by: ...`); the stack only with `COCOON_DEBUG` set.
 */
export function reportCliError(error: unknown): number {
  const { message, details, causes } = describeError(error)
  process.stderr.write(`cocoon: ${message}\n`)
  if (details !== undefined) process.stderr.write(`  ${details}\n`)
  for (const cause of causes) process.stderr.write(`  caused by: ${cause}\n`)
  if (process.env.COCOON_DEBUG !== undefined && error instanceof Error)
    process.stderr.write(`${error.stack ?? ''}\n`)
  return 1
}
