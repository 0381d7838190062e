import { reportBench } from '@cocoon-mesh/protocol'
import { forkChild } from './processes.js'

const MiB = 1024 * 1024

async function raw(bytes: number): Promise<number> {
  const server = await forkChild('raw-server')
  const client = await forkChild('raw-client')
  try {
    server.proc.send({ type: 'expect', bytes })
    const r = await client.request<{ bytesPerSecond: number }>({
      type: 'connect',
      address: server.ready.address,
      bytes,
      chunkSize: 64 * 1024,
      streams: 1,
    })
    return r.bytesPerSecond
  } finally {
    await client.stop()
    await server.stop()
  }
}

async function p2p(
  bytes: number,
  chunkSize: number,
  streams: number,
  mode: 'frames' | 'bytes' = 'frames',
  variant?: 'tuned' | 'stock' | 'joined' | 'stock-joined' | 'inthread',
): Promise<number> {
  const server = await forkChild('p2p-server', variant)
  const client = await forkChild('p2p-client', variant)
  try {
    const r = await client.request<{ bytesPerSecond: number }>({
      type: 'connect',
      address: server.ready.address,
      bytes,
      chunkSize,
      streams,
      mode,
    })
    return r.bytesPerSecond
  } finally {
    await client.stop()
    await server.stop()
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? 0
}

/**
 * Tensor stream throughput between two peer processes over loopback TCP
 * (noise + yamux, JobFrame TensorChunks) against raw Node TCP between two
 * processes, measured in the same run. Variants: chunk size and streams.
 */
export async function streamThroughputBench(options: { bytes?: number; runs?: number } = {}): Promise<void> {
  const bytes = options.bytes ?? 256 * MiB
  const runs = options.runs ?? Number(process.env.COCOON_BENCH_RUNS ?? 3)
  const rawRuns: number[] = []
  for (let i = 0; i < runs; i++) rawRuns.push(await raw(bytes))
  const baseline = median(rawRuns) / MiB
  reportBench({ bench: 'peer/raw-tcp-2proc', value: baseline, unit: 'MiB/s' })
  const variants: Array<{
    name: string
    chunk: number
    streams: number
    mode?: 'bytes'
    variant?: 'tuned' | 'stock' | 'joined' | 'stock-joined' | 'inthread'
  }> = [
    // what the job path did before: stock noise crypto, chunk data joined before reassembly
    { name: 'before-chunk-1m-1stream', chunk: 1024 * 1024, streams: 1, variant: 'stock-joined' },
    { name: 'stock-libp2p-chunk-1m-1stream', chunk: 1024 * 1024, streams: 1, variant: 'stock' },
    { name: 'stock-bytes-64k-1stream', chunk: 64 * 1024, streams: 1, mode: 'bytes' },
    { name: 'stock-bytes-1m-1stream', chunk: 1024 * 1024, streams: 1, mode: 'bytes' },
    { name: 'chunk-256k-1stream', chunk: 256 * 1024, streams: 1 },
    { name: 'chunk-1m-1stream', chunk: 1024 * 1024, streams: 1 },
    // the receiver copying and hashing on the stream's thread (before the tensor worker)
    { name: 'chunk-1m-1stream-in-thread', chunk: 1024 * 1024, streams: 1, variant: 'inthread' },
    { name: 'chunk-1m-1stream-joined-receive', chunk: 1024 * 1024, streams: 1, variant: 'joined' },
    { name: 'chunk-1m-4streams', chunk: 1024 * 1024, streams: 4 },
    { name: 'chunk-1m-1stream-yamux-16m-window', chunk: 1024 * 1024, streams: 1, variant: 'tuned' },
  ]
  // COCOON_BENCH_STREAM=name,name runs only those variants (for profiling)
  const only = process.env.COCOON_BENCH_STREAM?.split(',')
  const selected = variants.filter((v) => only === undefined || only.includes(v.name))
  // round-robin over the variants so a change in machine load hits all of them alike
  const results = new Map<string, number[]>(selected.map((v) => [v.name, []]))
  for (let i = 0; i < runs; i++) {
    for (const v of selected)
      results.get(v.name)?.push(await p2p(bytes, v.chunk, v.streams, v.mode, v.variant))
  }
  for (const v of selected) {
    const all = (results.get(v.name) ?? []).map((r) => (r / MiB).toFixed(0))
    console.error(
      `# ${v.name} runs (MiB/s): ${all.join(' ')}; raw TCP runs: ${rawRuns.map((r) => (r / MiB).toFixed(0)).join(' ')}`,
    )
    reportBench({
      bench: `peer/tensor-stream-${v.name}`,
      value: median(results.get(v.name) ?? []) / MiB,
      unit: 'MiB/s',
      baseline,
    })
  }
}
