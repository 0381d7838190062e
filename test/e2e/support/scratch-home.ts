import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { runCleanups } from '../../../test-support/cleanup.ts'

/** A scratch folder per test file and clean-ups run (last in, first out) after each test. */
export interface ScratchHome {
  /** The scratch folder (made in beforeAll, removed in afterAll). */
  readonly home: string
  /** Clean-ups to run after the current test, even when it failed. */
  readonly cleanups: Array<() => Promise<unknown>>
}

export function useScratchHome(prefix: string): ScratchHome {
  const cleanups: Array<() => Promise<unknown>> = []
  let home: string | undefined
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), prefix))
  })
  afterEach(async () => {
    await runCleanups(cleanups)
  })
  afterAll(async () => {
    if (home !== undefined) await rm(home, { recursive: true, force: true })
  })
  return {
    get home() {
      if (home === undefined) throw new Error('the scratch folder is made in beforeAll')
      return home
    },
    cleanups,
  }
}
