import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parseCpuInfo, parseMemInfo, parseNvidiaSmiCsv } from '../../src/hardware.js'

const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')

describe('hardware parsers', () => {
  it('parses nvidia-smi CSV (noheader, nounits)', async () => {
    // The format of `nvidia-smi --query-gpu=... --format=csv,noheader,nounits`;
    // written from that format, not captured on a GPU host (there is none here).
    const gpus = parseNvidiaSmiCsv(await fixture('nvidia-smi-2gpu.csv'))
    expect(gpus).toEqual([
      {
        index: 0,
        name: 'NVIDIA GeForce RTX 4090',
        vramMb: 24564,
        vramFreeMb: 23975,
        driverVersion: '550.54.14',
        uuid: 'GPU-5c1e7d2a-3b4f-9c8e-1a2b-3c4d5e6f7a8b',
      },
      {
        index: 1,
        name: 'NVIDIA A100-SXM4-80GB',
        vramMb: 81920,
        vramFreeMb: 81050,
        driverVersion: '550.54.14',
        uuid: 'GPU-9f8e7d6c-5b4a-3210-fedc-ba9876543210',
      },
    ])
  })

  it('skips junk lines and tolerates [N/A] and MiB units', () => {
    const out =
      'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n0, Tesla T4, 15360 MiB, [N/A], 535.1\n'
    expect(parseNvidiaSmiCsv(out)).toEqual([
      { index: 0, name: 'Tesla T4', vramMb: 15360, driverVersion: '535.1' },
    ])
    expect(parseNvidiaSmiCsv('')).toEqual([])
  })

  it('parses /proc/cpuinfo and /proc/meminfo captured on this machine', async () => {
    expect(parseCpuInfo(await fixture('cpuinfo-amd-epyc-2core.txt'))).toEqual({ model: 'AMD EPYC', cores: 2 })
    expect(parseMemInfo(await fixture('meminfo.txt'))).toEqual({ totalMb: 24106, availableMb: 23575 })
  })
})
