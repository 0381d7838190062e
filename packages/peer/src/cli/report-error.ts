import { isCocoonError } from '@cocoon-mesh/protocol'

/** Prints an error the way an operator can act on it and returns the exit code. */
export function reportCliError(error: unknown): number {
  if (isCocoonError(error)) {
    process.stderr.write(`cocoon: ${error.shortMessage}\n`)
    if (error.details !== undefined) process.stderr.write(`  ${error.details}\n`)
    if (process.env.COCOON_DEBUG !== undefined) process.stderr.write(`${error.stack ?? ''}\n`)
    return 1
  }
  const message = error instanceof Error ? error.message : String(error)
  process.stderr.write(`cocoon: ${message}\n`)
  if (process.env.COCOON_DEBUG !== undefined && error instanceof Error)
    process.stderr.write(`${error.stack ?? ''}\n`)
  return 1
}
