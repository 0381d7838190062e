/**
 * Worker thread that reassembles and hashes large received tensors, so the
 * thread running libp2p spends its time on the stream (noise, yamux) rather
 * than on copying into fresh memory and sha256. Imports only node builtins:
 * it runs as is from `dist` and, under tests, from source (Node strips types).
 */
import { createHash, type Hash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'

export type TensorWorkerRequest =
  | { type: 'ring'; ring: SharedArrayBuffer; consumed: SharedArrayBuffer }
  | { type: 'open'; id: number; byteLength: number }
  | { type: 'data'; id: number; parts: Uint8Array[] }
  | { type: 'ring-data'; id: number; start: number; length: number }
  | { type: 'finish'; id: number }
  | { type: 'drop'; id: number }

export type TensorWorkerReply =
  | { type: 'done'; id: number; digest: Uint8Array; data: Uint8Array }
  | { type: 'failed'; id: number; message: string }

interface Open {
  buffer: Uint8Array
  filled: number
  hash: Hash
}

const open = new Map<number, Open>()
const port = parentPort
/** Bytes the main thread copied in, and (shared) how many of them this thread consumed. */
let ring: Uint8Array | undefined
let consumed: BigInt64Array | undefined

function apply(tensor: Open, part: Uint8Array): void {
  // the main thread checked sizes against the header before posting
  tensor.buffer.set(part, tensor.filled)
  tensor.hash.update(part)
  tensor.filled += part.byteLength
}

port?.on('message', (message: TensorWorkerRequest) => {
  try {
    if (message.type === 'ring') {
      ring = new Uint8Array(message.ring)
      consumed = new BigInt64Array(message.consumed)
      return
    }
    if (message.type === 'open') {
      open.set(message.id, {
        buffer: new Uint8Array(message.byteLength),
        filled: 0,
        hash: createHash('sha256'),
      })
      return
    }
    if (message.type === 'drop') {
      open.delete(message.id)
      return
    }
    const tensor = open.get(message.id)
    if (message.type === 'ring-data') {
      if (ring === undefined || consumed === undefined) return
      if (tensor !== undefined) {
        const first = Math.min(message.length, ring.byteLength - message.start)
        apply(tensor, ring.subarray(message.start, message.start + first))
        if (first < message.length) apply(tensor, ring.subarray(0, message.length - first))
      }
      // hand the space back even for a dropped tensor
      Atomics.add(consumed, 0, BigInt(message.length))
      return
    }
    if (tensor === undefined) return
    if (message.type === 'data') {
      for (const part of message.parts) apply(tensor, part)
      return
    }
    open.delete(message.id)
    const reply: TensorWorkerReply = {
      type: 'done',
      id: message.id,
      digest: new Uint8Array(tensor.hash.digest()),
      data: tensor.buffer,
    }
    port.postMessage(reply, [tensor.buffer.buffer as ArrayBuffer])
  } catch (error) {
    if (!('id' in message)) return
    open.delete(message.id)
    const reply: TensorWorkerReply = { type: 'failed', id: message.id, message: (error as Error).message }
    port.postMessage(reply)
  }
})
