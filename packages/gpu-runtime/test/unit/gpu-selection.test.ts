import { describe, expect, it } from 'vitest'
import { defaultThreads, selectLlamaGpu } from '../../src/llm/select-gpu.js'
import type { HardwareInfo } from '../../src/types.js'
import { cpuHardware } from '../helpers.js'

const nvidiaBox: HardwareInfo = {
  ...cpuHardware,
  gpus: [{ index: 0, name: 'NVIDIA GeForce RTX 4090', vramMb: 24564, driverVersion: '550.54.14' }],
}
const mac: HardwareInfo = { ...cpuHardware, platform: 'darwin', arch: 'arm64' }

describe('selectLlamaGpu', () => {
  it('auto: CPU without a GPU, auto (CUDA first) with one, Metal path on Apple Silicon', () => {
    expect(selectLlamaGpu(cpuHardware, 'auto').gpu).toBe(false)
    expect(selectLlamaGpu(nvidiaBox, 'auto').gpu).toBe('auto')
    expect(selectLlamaGpu(mac).gpu).toBe('auto')
  })
  it('cuda is honoured only with an NVIDIA GPU, never throws for a missing binary', () => {
    expect(selectLlamaGpu(nvidiaBox, 'cuda').gpu).toBe('cuda')
    expect(selectLlamaGpu(cpuHardware, 'cuda').gpu).toBe(false)
    expect(selectLlamaGpu(cpuHardware, 'cuda').reason).toMatch(/no NVIDIA GPU/)
  })
  it('cpu always wins; metal only on Apple Silicon', () => {
    expect(selectLlamaGpu(nvidiaBox, 'cpu').gpu).toBe(false)
    expect(selectLlamaGpu(mac, 'metal').gpu).toBe('metal')
    expect(selectLlamaGpu(cpuHardware, 'metal').gpu).toBe(false)
    expect(selectLlamaGpu(nvidiaBox, 'metal').gpu).toBe('auto')
    expect(selectLlamaGpu(cpuHardware, 'vulkan').gpu).toBe('vulkan')
  })
})

describe('defaultThreads', () => {
  it('is max(1, cores - 1) unless configured', () => {
    expect(defaultThreads(2)).toBe(1)
    expect(defaultThreads(1)).toBe(1)
    expect(defaultThreads(16)).toBe(15)
    expect(defaultThreads(16, 4)).toBe(4)
    expect(defaultThreads(16, 0)).toBe(15)
  })
})
