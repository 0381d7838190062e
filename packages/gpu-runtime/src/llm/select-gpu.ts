import type { GpuPreference, HardwareInfo, LlamaGpuSelection } from '../types.js'

/**
 * Chooses node-llama-cpp's `gpu` option from the detected hardware and the
 * operator's preference. Pure, so it is unit-tested without a GPU.
 *
 * - `cpu` never touches a GPU binary.
 * - `auto` with an NVIDIA GPU found lets node-llama-cpp pick (CUDA, then
 *   Vulkan, then CPU); with none found it goes straight to CPU, skipping the
 *   GPU probes.
 * - an explicit backend is honoured when it can work on this machine (CUDA
 *   needs an NVIDIA GPU, Metal needs Apple Silicon); otherwise `auto` so a
 *   missing binary never stops the provider (node-llama-cpp throws
 *   `NoBinaryFoundError` for an explicit `cuda` without CUDA).
 */
export function selectLlamaGpu(
  hardware: HardwareInfo,
  preference: GpuPreference = 'auto',
): LlamaGpuSelection {
  const nvidia = hardware.gpus.length > 0
  const appleSilicon = hardware.platform === 'darwin' && hardware.arch === 'arm64'
  switch (preference) {
    case 'cpu':
      return { gpu: false, reason: 'CPU requested by config' }
    case 'cuda':
      return nvidia
        ? { gpu: 'cuda', reason: `CUDA requested and ${hardware.gpus.length} NVIDIA GPU(s) found` }
        : {
            gpu: appleSilicon ? 'auto' : false,
            reason: 'CUDA requested but no NVIDIA GPU found; not using CUDA',
          }
    case 'metal':
      return appleSilicon
        ? { gpu: 'metal', reason: 'Metal requested on Apple Silicon' }
        : { gpu: nvidia ? 'auto' : false, reason: 'Metal requested but this is not Apple Silicon' }
    case 'vulkan':
      return { gpu: 'vulkan', reason: 'Vulkan requested by config (falls back to auto if no binary)' }
    default:
      if (appleSilicon) return { gpu: 'auto', reason: 'auto on Apple Silicon (Metal)' }
      if (nvidia)
        return { gpu: 'auto', reason: `auto: ${hardware.gpus.length} NVIDIA GPU(s) found, CUDA preferred` }
      return { gpu: false, reason: 'auto: no GPU found, CPU' }
  }
}

/** CPU threads for llama.cpp: `max(1, cores - 1)` unless configured. */
export function defaultThreads(cores: number, configured?: number): number {
  if (configured !== undefined && configured >= 1) return Math.floor(configured)
  return Math.max(1, cores - 1)
}
