import { isCocoonError } from '@cocoon-mesh/protocol'

/** What the CLI prints for a failure: the short message and details of a typed error, never a stack. */
export function formatCliError(error: unknown): string {
  if (isCocoonError(error))
    return `${error.shortMessage}\n${error.details === undefined ? '' : `${error.details}\n`}`
  return `cocoon-sim: ${error instanceof Error ? error.message : String(error)}\n`
}
