/**
 * Whether `error` is node's system error with this errno code (`ENOENT`,
 * `EEXIST`, `EPERM`...): node's errors have no class per code, so the code is
 * what tells them apart.
 */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code
}
