import { describeError, isCocoonError } from '@cocoon-mesh/protocol'

/**
 * What the CLI prints for a failure: the short message and details of a typed
 * error (any other error prefixed with `cocoon-sim:`), then each cause not
 * already said (`caused by: ...`), never a stack.
 */
export function formatCliError(error: unknown): string {
  const { message, details, causes } = describeError(error)
  const head = isCocoonError(error) ? `${message}\n` : `cocoon-sim: ${message}\n`
  return `${head}${details === undefined ? '' : `${details}\n`}${causes.map((c) => `caused by: ${c}\n`).join('')}`
}
