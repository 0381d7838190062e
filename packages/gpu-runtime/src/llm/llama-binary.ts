/**
 * Which llama.cpp binary node-llama-cpp loads on this machine (CUDA, Vulkan,
 * Metal or CPU) for a GPU preference, and which GPU types it has binaries for:
 * what `cocoon doctor` reports.
 */
import { errorMessage } from '@cocoon-mesh/protocol'
import { ModelLoadError } from '../errors.js'
import type { GpuPreference, HardwareInfo } from '../types.js'
import { selectLlamaGpu } from './select-gpu.js'

export interface LlamaBinaryProbe {
  /** The binary that loaded: `cuda`, `vulkan`, `metal` or `cpu`. */
  loaded: string
  /** Why that GPU option was asked for (see selectLlamaGpu). */
  reason: string
  /** GPU types node-llama-cpp has a usable binary for here. */
  supported: string[]
}

/**
 * Loads the llama.cpp binary `preference` selects on `hardware` (prebuilt only, never a build).
 * @throws {ModelLoadError} when no binary loads, with node-llama-cpp's reason.
 */
export async function probeLlamaBinary(
  hardware: HardwareInfo,
  preference: GpuPreference = 'auto',
): Promise<LlamaBinaryProbe> {
  const selection = selectLlamaGpu(hardware, preference)
  const { getLlama, getLlamaGpuTypes, LlamaLogLevel } = await import('node-llama-cpp')
  try {
    const llama = await getLlama({ gpu: selection.gpu, logLevel: LlamaLogLevel.error, build: 'never' })
    const supported = (await getLlamaGpuTypes('supported')).map((t) => (t === false ? 'cpu' : t))
    const loaded = llama.gpu === false ? 'cpu' : llama.gpu
    await llama.dispose()
    return { loaded, reason: selection.reason, supported }
  } catch (error) {
    throw new ModelLoadError('No llama.cpp binary loads', {
      details: `node-llama-cpp found no prebuilt binary for gpu=${String(selection.gpu)} (${selection.reason}): ${errorMessage(error)}. Reinstall node-llama-cpp (npm ci) on this platform, or set "gpu": "cpu".`,
      cause: error,
    })
  }
}
