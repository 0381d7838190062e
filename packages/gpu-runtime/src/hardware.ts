/**
 * Hardware discovery for the Offer: NVIDIA GPUs from `nvidia-smi` when it is
 * installed (run with a timeout, never a shell), CPU model, cores and memory
 * from the OS. The parsers are pure and unit-tested on captured outputs.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { arch, availableParallelism, cpus, freemem, platform, totalmem } from 'node:os'
import type { CpuInfo, GpuDevice, HardwareInfo } from './types.js'

/** The `nvidia-smi` arguments whose output {@link parseNvidiaSmiCsv} reads. */
export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,memory.total,memory.free,driver_version,uuid',
  '--format=csv,noheader,nounits',
]

/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.free,driver_version,uuid --format=csv,noheader,nounits`.
 * Lines that do not parse (warnings, `[N/A]` sizes) are skipped or zeroed.
 */
export function parseNvidiaSmiCsv(output: string): GpuDevice[] {
  const gpus: GpuDevice[] = []
  for (const line of output.split(/\r?\n/)) {
    const cells = line.split(',').map((c) => c.trim())
    if (cells.length < 5) continue
    const [index, name, total, free, driver, uuid] = cells
    const i = Number.parseInt(index ?? '', 10)
    if (!Number.isInteger(i) || name === undefined || name === '') continue
    const vramMb = toMb(total)
    const vramFreeMb = toMb(free)
    const gpu: GpuDevice = { index: i, name, vramMb: vramMb ?? 0, driverVersion: driver ?? '' }
    if (vramFreeMb !== undefined) gpu.vramFreeMb = vramFreeMb
    if (uuid !== undefined && uuid !== '') gpu.uuid = uuid
    gpus.push(gpu)
  }
  return gpus
}

function toMb(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined
  const n = Number.parseFloat(cell.replace(/\s*MiB$/i, ''))
  return Number.isFinite(n) ? Math.round(n) : undefined
}

/** Parses Linux `/proc/cpuinfo`: the first `model name` and the number of `processor` entries. */
export function parseCpuInfo(text: string): CpuInfo {
  let model = ''
  let processors = 0
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const key = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (key === 'processor') processors++
    else if ((key === 'model name' || key === 'Model' || key === 'Hardware') && model === '') model = value
  }
  return { model: model === '' ? 'unknown' : model, cores: Math.max(1, processors) }
}

/** Parses Linux `/proc/meminfo` into total and available MB. */
export function parseMemInfo(text: string): { totalMb: number; availableMb: number } {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text)
    return m?.[1] === undefined ? undefined : Number.parseInt(m[1], 10)
  }
  const total = kb('MemTotal') ?? 0
  const available = kb('MemAvailable') ?? kb('MemFree') ?? 0
  return { totalMb: Math.round(total / 1024), availableMb: Math.round(available / 1024) }
}

export interface DetectHardwareOptions {
  /** Path or name of nvidia-smi (default `nvidia-smi` on the PATH). */
  nvidiaSmi?: string
  /** Timeout for nvidia-smi in ms (default 5000). */
  timeoutMs?: number
}

/** Runs nvidia-smi; resolves `[]` when it is missing, fails or times out. */
export function queryNvidiaSmi(options: DetectHardwareOptions = {}): Promise<GpuDevice[]> {
  return new Promise((resolve) => {
    execFile(
      options.nvidiaSmi ?? 'nvidia-smi',
      NVIDIA_SMI_ARGS,
      { timeout: options.timeoutMs ?? 5000, windowsHide: true },
      (error, stdout) => {
        if (error !== null) resolve([])
        else resolve(parseNvidiaSmiCsv(String(stdout)))
      },
    )
  })
}

/** Discovers GPUs, CPU and memory. Never throws. */
export async function detectHardware(options: DetectHardwareOptions = {}): Promise<HardwareInfo> {
  const gpus = await queryNvidiaSmi(options)
  const list = cpus()
  let cpu: CpuInfo = { model: list[0]?.model.trim() || 'unknown', cores: availableParallelism() }
  let memoryMb = Math.round(totalmem() / (1024 * 1024))
  let freeMemoryMb = Math.round(freemem() / (1024 * 1024))
  if (platform() === 'linux') {
    // An unreadable /proc file (a sandbox) leaves the os module's figures in place.
    const [cpuinfo, meminfo] = await Promise.all([
      readFile('/proc/cpuinfo', 'utf8').catch(() => ''),
      readFile('/proc/meminfo', 'utf8').catch(() => ''),
    ])
    if (cpu.model === 'unknown' && cpuinfo !== '') cpu = { ...parseCpuInfo(cpuinfo), cores: cpu.cores }
    if (meminfo !== '') {
      const m = parseMemInfo(meminfo)
      if (m.totalMb > 0) memoryMb = m.totalMb
      if (m.availableMb > 0) freeMemoryMb = m.availableMb
    }
  }
  return { gpus, cpu, memoryMb, freeMemoryMb, platform: platform(), arch: arch() }
}

/** What the Offer's `GpuInfo` should say: the first GPU or the CPU. */
export function describeCompute(hardware: HardwareInfo): {
  model: string
  vramMb: number
  backend: 'cuda' | 'cpu'
} {
  const gpu = hardware.gpus[0]
  if (gpu !== undefined) return { model: gpu.name, vramMb: gpu.vramMb, backend: 'cuda' }
  return { model: hardware.cpu.model, vramMb: 0, backend: 'cpu' }
}
