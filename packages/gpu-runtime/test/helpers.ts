import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeTinyGguf } from '../src/gguf/tiny-llama.js'
import type { HardwareInfo } from '../src/types.js'

/** A CPU-only machine description, so tests never depend on the host. */
export const cpuHardware: HardwareInfo = {
  gpus: [],
  cpu: { model: 'test cpu', cores: 2 },
  memoryMb: 8192,
  freeMemoryMb: 8192,
  platform: 'linux',
  arch: 'x64',
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-gpu-runtime-'))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

export async function tinyModel(dir: string, seed = 1): Promise<string> {
  const path = join(dir, `tiny-${seed}.gguf`)
  await writeTinyGguf(path, { seed })
  return path
}

export { recordingLogger } from '../../../test-support/recording-logger.ts'
