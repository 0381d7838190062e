import { describe, expect, it } from 'vitest'
import { detectHardware, queryNvidiaSmi } from '../../src/hardware.js'

describe('hardware detection (runs nvidia-smi)', () => {
  it('a missing nvidia-smi yields no GPUs, and detection never throws', async () => {
    expect(await queryNvidiaSmi({ nvidiaSmi: '/nonexistent/nvidia-smi', timeoutMs: 1000 })).toEqual([])
    const hw = await detectHardware({ nvidiaSmi: '/nonexistent/nvidia-smi' })
    expect(hw.cpu.cores).toBeGreaterThanOrEqual(1)
    expect(hw.memoryMb).toBeGreaterThan(0)
    expect(hw.gpus).toEqual([])
  })
})
