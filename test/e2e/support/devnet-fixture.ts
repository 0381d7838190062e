import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Devnet, startDevnet } from '@cocoon-mesh/settlement/devnet'
import { afterAll, beforeAll } from 'vitest'
import { runCleanups } from '../../../test-support/cleanup.ts'

/** One devnet and one scratch folder per test file, torn down (last in, first out) after its tests. */
export interface DevnetFixture {
  readonly devnet: Devnet
  readonly dir: string
  /** Registers clean-ups to run after all tests of the file, even when one failed. */
  defer(...cleanups: Array<() => Promise<unknown>>): void
}

export function useDevnetFixture(prefix: string): DevnetFixture {
  const cleanups: Array<() => Promise<unknown>> = []
  let devnet: Devnet | undefined
  let dir: string | undefined
  beforeAll(async () => {
    devnet = await startDevnet({ port: 0 })
    const started = devnet
    cleanups.push(() => started.stop())
    const scratch = await mkdtemp(join(tmpdir(), prefix))
    dir = scratch
    cleanups.push(() => rm(scratch, { recursive: true, force: true }))
  })
  afterAll(async () => {
    await runCleanups(cleanups)
  })
  return {
    get devnet() {
      if (devnet === undefined) throw new Error('the devnet starts in beforeAll')
      return devnet
    },
    get dir() {
      if (dir === undefined) throw new Error('the scratch folder is made in beforeAll')
      return dir
    },
    defer(...more) {
      cleanups.push(...more)
    },
  }
}
