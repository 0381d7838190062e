import { fileURLToPath } from 'node:url'
import type { Proc, ProcessGroup } from '../../../../test-support/cli-processes.ts'

const SCRIPT = fileURLToPath(new URL('./dishonest-provider.ts', import.meta.url))

export type DishonestMode = 'silent' | 'trickle' | 'flood' | 'overclaim'

export interface DishonestProvider {
  peerId: string
  proc: Proc
  /** The jobs this provider accepted, in order, with the deadline each request carried (Unix ms, 0 for none). */
  jobs(): Array<{ jobId: string; deadline: number }>
}

/** Starts a dishonest provider process (see dishonest-provider.ts) joined through `bootstrap`; waits until it is ready. */
export async function startDishonestProvider(
  group: ProcessGroup,
  mode: DishonestMode,
  bootstrap: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<DishonestProvider> {
  const proc = group.spawn(`dishonest-${mode}`, [SCRIPT], {
    // vitest's loaders are not for this process
    NODE_OPTIONS: '',
    COCOON_FAKE_MODE: mode,
    COCOON_FAKE_BOOTSTRAP: bootstrap.join(','),
    ...env,
  })
  const ready = await proc.line(/^ready /)
  return {
    peerId: ready.slice('ready '.length).trim(),
    proc,
    jobs: () =>
      proc.lines
        .map((l) => /^job (\S+) deadline=(\d+)$/.exec(l))
        .filter((m) => m !== null)
        .map((m) => ({ jobId: m[1] ?? '', deadline: Number(m[2]) })),
  }
}
