/**
 * Child process of the peer benchmarks: `node child.js <role>`; talks to the
 * parent over the IPC channel. Roles: `raw-server`, `raw-client`,
 * `p2p-server`, `p2p-client`.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import {
  createPeer,
  FrameWriter,
  nodeNoiseCrypto,
  readFrames,
  TensorAssembler,
} from '@cocoon-mesh/client/internal'
import { DType } from '@cocoon-mesh/protocol'
import type { Stream } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'

/**
 * Variants: `stock` is plain js-libp2p (TCP + default noise + default yamux),
 * the reference for what createPeer's changes gain; `tuned` is createPeer's
 * noise crypto with bigger yamux windows and messages (COCOON_BENCH_YAMUX=default
 * keeps yamux's defaults) and, for experiments, socket options from
 * COCOON_BENCH_SOCKET_HWM (bytes) and COCOON_BENCH_NODELAY=0. Measured on
 * 2 loaded cores: none of these moved the 1 MiB-chunk stream beyond the
 * run-to-run spread.
 */
async function tunedNode(
  listen: string[],
  stock: boolean,
): Promise<{ libp2p: Awaited<ReturnType<typeof createLibp2p>>; stop(): Promise<void> }> {
  const hwm = Number(process.env.COCOON_BENCH_SOCKET_HWM ?? 0)
  const socketOptions = (hwm > 0 ? { writableHighWaterMark: hwm, highWaterMark: hwm } : {}) as object
  const libp2p = await createLibp2p({
    addresses: { listen },
    transports: [
      stock
        ? tcp()
        : tcp({
            dialOpts: { ...socketOptions, noDelay: process.env.COCOON_BENCH_NODELAY !== '0' },
            listenOpts: { ...socketOptions, noDelay: process.env.COCOON_BENCH_NODELAY !== '0' },
          }),
    ],
    connectionEncrypters: [stock ? noise() : noise({ crypto: nodeNoiseCrypto })],
    streamMuxers: [
      stock || process.env.COCOON_BENCH_YAMUX === 'default'
        ? yamux()
        : yamux({
            maxMessageSize: 1024 * 1024,
            streamOptions: {
              initialStreamWindowSize: 16 * 1024 * 1024,
              maxStreamWindowSize: 16 * 1024 * 1024,
            },
          }),
    ],
  })
  return {
    libp2p,
    stop: async () => {
      await libp2p.stop()
    },
  }
}

const VARIANT = process.argv[3]
const STOCK = VARIANT === 'stock' || VARIANT === 'stock-joined'
const JOINED = VARIANT === 'joined' || VARIANT === 'stock-joined'
const TUNED = VARIANT === 'tuned' || STOCK
const IN_THREAD = VARIANT === 'inthread' || JOINED

export const BENCH_PROTOCOL = '/cocoon/bench/1.0.0'
export const BENCH_BYTES_PROTOCOL = '/cocoon/bench-bytes/1.0.0'

type Message =
  | {
      type: 'connect'
      address: string
      bytes: number
      chunkSize: number
      streams: number
      mode?: 'frames' | 'bytes'
    }
  | { type: 'expect'; bytes: number }
  | { type: 'stop' }

const role = process.argv[2]

/** Linux `/proc/self/schedstat`: ns on a CPU and ns runnable but waiting for one, with the wall clock. */
function schedstat(): { cpu: number; wait: number; wall: number; process: number } | undefined {
  try {
    const [cpu, wait] = readFileSync('/proc/self/schedstat', 'utf8').split(' ').map(Number)
    const usage = process.cpuUsage()
    return { cpu: cpu ?? 0, wait: wait ?? 0, wall: performance.now(), process: usage.user + usage.system }
  } catch {
    return undefined
  }
}

/**
 * COCOON_BENCH_SCHED=1: prints how much of a transfer this process's main thread ran, waited for a
 * CPU, or idled, and the CPU time per MiB of the main thread and of the whole process (all threads):
 * the per-MiB figures hold up on a loaded machine where the MiB/s do not.
 */
function schedReport(who: string, before: ReturnType<typeof schedstat>, bytes: number): void {
  const after = schedstat()
  if (process.env.COCOON_BENCH_SCHED !== '1' || before === undefined || after === undefined) return
  const wall = after.wall - before.wall
  const cpu = (after.cpu - before.cpu) / 1e6
  const wait = (after.wait - before.wait) / 1e6
  const processCpu = (after.process - before.process) / 1e3
  const mib = bytes / (1024 * 1024)
  console.error(
    `# ${who} ${VARIANT ?? 'peer'}: wall ${wall.toFixed(0)} ms, on cpu ${((100 * cpu) / wall).toFixed(0)}%, runnable but waiting for a cpu ${((100 * wait) / wall).toFixed(0)}%, idle ${((100 * (wall - cpu - wait)) / wall).toFixed(0)}%; cpu ms/MiB: main thread ${(cpu / mib).toFixed(2)}, process ${(processCpu / mib).toFixed(2)}`,
  )
}
const send = (m: unknown): void => {
  process.send?.(m)
}

async function rawServer(): Promise<void> {
  let expected = 0
  const server = createServer((socket: Socket) => {
    let got = 0
    socket.on('data', (d) => {
      got += d.byteLength
      if (got >= expected) socket.write(new Uint8Array([1]))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  process.on('message', (m: Message) => {
    if (m.type === 'expect') expected = m.bytes
    if (m.type === 'stop') server.close(() => process.exit(0))
  })
  send({ type: 'ready', address: `127.0.0.1:${port}` })
}

async function rawClient(): Promise<void> {
  process.on('message', async (m: Message) => {
    if (m.type === 'stop') process.exit(0)
    if (m.type !== 'connect') return
    const [host, port] = m.address.split(':')
    const socket = connect(Number(port), host as string)
    await new Promise((r) => socket.once('connect', r))
    const chunk = new Uint8Array(m.chunkSize).fill(7)
    const start = performance.now()
    const done = new Promise((r) => socket.once('data', r))
    let sent = 0
    while (sent < m.bytes) {
      sent += chunk.byteLength
      if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r))
    }
    await done
    const seconds = (performance.now() - start) / 1000
    socket.destroy()
    send({ type: 'result', bytesPerSecond: m.bytes / seconds })
  })
  send({ type: 'ready' })
}

async function p2pServer(): Promise<void> {
  const peer = TUNED
    ? await tunedNode(['/ip4/127.0.0.1/tcp/0'], STOCK)
    : await createPeer({ listen: ['/ip4/127.0.0.1/tcp/0'], gossip: false })
  await peer.libp2p.handle(
    [BENCH_PROTOCOL, BENCH_BYTES_PROTOCOL],
    async (stream: Stream) => {
      let got = 0
      let expected = Number.POSITIVE_INFINITY
      if (stream.protocol === BENCH_BYTES_PROTOCOL) {
        for await (const chunk of stream) {
          if (expected === Number.POSITIVE_INFINITY)
            expected = new DataView(
              chunk
                .subarray(0, 8)
                .buffer.slice(chunk.subarray(0, 8).byteOffset, chunk.subarray(0, 8).byteOffset + 8),
            ).getUint32(0)
          got += chunk.byteLength
          if (got >= expected) {
            stream.send(new Uint8Array([1]))
            await stream.close()
            return
          }
        }
        return
      }
      // the job path's receiving side: reassembled into one tensor and its sha256 checked
      // `inthread`: copied and hashed on the stream's thread, as before the tensor worker
      const assembler = new TensorAssembler(1, 2 ** 31, IN_THREAD ? { offloadMinBytes: Infinity } : {})
      const sched0 = schedstat()
      let assemblerBytes = 0
      for await (const frame of readFrames(stream)) {
        if (frame.tensorHeader !== undefined) assemblerBytes += Number(frame.tensorHeader.byteLength)
        const chunk = frame.tensorChunk
        // `joined`: what the receiver did before it copied the arrived pieces straight into the tensor
        if (JOINED && chunk !== undefined)
          assembler.push({ tensorChunk: { index: chunk.index, offset: chunk.offset, data: chunk.data } })
        else assembler.push(frame)
        if (assembler.done) {
          await assembler.complete()
          schedReport('server', sched0, assemblerBytes)
          stream.send(new Uint8Array([1]))
          await stream.close()
          return
        }
      }
    },
    { maxInboundStreams: 64 },
  )
  process.on('message', async (m: Message) => {
    if (m.type === 'stop') {
      await peer.stop()
      process.exit(0)
    }
  })
  send({ type: 'ready', address: peer.libp2p.getMultiaddrs()[0]?.toString() })
}

async function p2pClient(): Promise<void> {
  const peer = TUNED ? await tunedNode([], STOCK) : await createPeer({ listen: [], gossip: false })
  process.on('message', async (m: Message) => {
    if (m.type === 'stop') {
      await peer.stop()
      process.exit(0)
    }
    if (m.type !== 'connect') return
    const addr = multiaddr(m.address)
    await peer.libp2p.dial(addr)
    const perStream = Math.floor(m.bytes / m.streams)
    const chunk = new Uint8Array(m.chunkSize).fill(7)
    const hash = createHash('sha256')
    for (let offset = 0; offset < perStream; offset += chunk.byteLength)
      hash.update(chunk.subarray(0, Math.min(chunk.byteLength, perStream - offset)))
    const sha256 = new Uint8Array(hash.digest())
    const start = performance.now()
    const sched0 = schedstat()
    await Promise.all(
      Array.from({ length: m.streams }, async () => {
        if (m.mode === 'bytes') {
          const stream = await peer.libp2p.dialProtocol(addr, BENCH_BYTES_PROTOCOL)
          const first = new Uint8Array(m.chunkSize)
          new DataView(first.buffer).setUint32(0, perStream)
          for (let offset = 0; offset < perStream; offset += chunk.byteLength) {
            if (!stream.send(offset === 0 ? first : chunk)) await stream.onDrain()
          }
          for await (const _ of stream) break
          return
        }
        const stream = await peer.libp2p.dialProtocol(addr, BENCH_PROTOCOL)
        const writer = new FrameWriter(stream)
        await writer.write({
          tensorHeader: {
            name: 't',
            dtype: DType.DTYPE_UINT8,
            shape: [BigInt(perStream)],
            byteLength: BigInt(perStream),
            sha256,
          },
        })
        for (let offset = 0; offset < perStream; offset += chunk.byteLength) {
          const data = offset + chunk.byteLength <= perStream ? chunk : chunk.subarray(0, perStream - offset)
          await writer.writeTensorChunk(0, offset, data)
        }
        for await (const _ of stream) break
      }),
    )
    const seconds = (performance.now() - start) / 1000
    schedReport('client', sched0, perStream * m.streams)
    send({ type: 'result', bytesPerSecond: (perStream * m.streams) / seconds })
  })
  send({ type: 'ready' })
}

const roles: Record<string, () => Promise<void>> = {
  'raw-server': rawServer,
  'raw-client': rawClient,
  'p2p-server': p2pServer,
  'p2p-client': p2pClient,
}
const run = roles[role ?? '']
if (run === undefined) {
  console.error(`unknown role ${role}`)
  process.exit(2)
}
await run()
