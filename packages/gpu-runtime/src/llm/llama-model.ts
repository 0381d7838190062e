/**
 * Loads one GGUF model with node-llama-cpp: resolves the source (local path
 * or `hf:` URI), checks the file, picks the GPU binary and creates a context
 * with one sequence per concurrent job. Every failure is a typed error.
 */
import { stat } from 'node:fs/promises'
import { freemem } from 'node:os'
import { errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp'
import {
  GgufFormatError,
  ModelCorruptError,
  ModelLoadError,
  ModelNotFoundError,
  ModelTooLargeError,
} from '../errors.js'
import { readGgufSummary } from '../gguf/validate.js'
import type { HardwareInfo, LlamaGpuOption, LlamaModelConfig } from '../types.js'
import { defaultThreads, selectLlamaGpu } from './select-gpu.js'

export interface LoadedLlamaModel {
  llama: Llama
  model: LlamaModel
  context: LlamaContext
  /** The chat template, resolved from the model's metadata. */
  chatWrapper: ChatWrapper
  /** `llama.cpp/cpu`, `llama.cpp/cuda`, ... */
  backend: string
  threads: number
  path: string
  /** Takes a free sequence, waiting for one when all are busy. */
  acquire(signal?: AbortSignal): Promise<LlamaContextSequence>
  release(sequence: LlamaContextSequence): void
  dispose(): Promise<void>
}

export interface LoadLlamaModelOptions {
  config: LlamaModelConfig & { kind: 'llama' }
  hardware: HardwareInfo
  /** Where `hf:` models are downloaded. */
  modelsDir?: string
  /** Bytes the model may use (default: free memory now). */
  memoryLimitBytes?: number
  /** Default `defaultLogger()` of @libp2p/logger. */
  logger?: ComponentLogger
}

const llamas = new Map<string, Promise<Llama>>()

/** One Llama instance per GPU option per process (node-llama-cpp loads one binary each). */
async function getLlamaFor(gpu: 'auto' | 'cuda' | 'vulkan' | 'metal' | false): Promise<Llama> {
  const key = String(gpu)
  let llama = llamas.get(key)
  if (llama === undefined) {
    llama = (async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp')
      try {
        return await getLlama({ gpu, logLevel: LlamaLogLevel.error, build: 'never' })
      } catch (error) {
        if (gpu === 'auto' || gpu === false) throw error
        // An explicit backend without its binary throws NoBinaryFoundError: fall back.
        return await getLlama({ gpu: 'auto', logLevel: LlamaLogLevel.error, build: 'never' })
      }
    })()
    llamas.set(key, llama)
    llama.catch(() => llamas.delete(key))
  }
  return await llama
}

async function resolveSource(source: string, modelsDir: string | undefined): Promise<string> {
  if (source.startsWith('hf:') || source.startsWith('https://')) {
    const { resolveModelFile } = await import('node-llama-cpp')
    try {
      return await resolveModelFile(source, { directory: modelsDir, cli: false })
    } catch (error) {
      throw new ModelNotFoundError(`Could not resolve model ${source}`, {
        details: `node-llama-cpp could not download or find ${source} in ${modelsDir ?? 'its default models folder'}: ${errorMessage(error)}. Check the URI and network access, or download the file and configure its local path.`,
        cause: error,
      })
    }
  }
  return source
}

async function checkGgufFile(path: string): Promise<number> {
  let size: number
  try {
    const s = await stat(path)
    if (!s.isFile()) throw new Error('not a regular file')
    size = s.size
  } catch (error) {
    throw new ModelNotFoundError(`Model file not found: ${path}`, {
      details: `No readable GGUF file at ${path}. Configure an existing local path or an hf: URI.`,
      cause: error,
    })
  }
  try {
    await readGgufSummary(path)
  } catch (error) {
    if (error instanceof GgufFormatError) {
      throw new ModelCorruptError(`Corrupt GGUF file: ${path}`, {
        details: `${error.message} (${size} bytes). Re-download or re-convert the model.`,
        cause: error,
      })
    }
    throw new ModelNotFoundError(`Model file not readable: ${path}`, {
      details: errorMessage(error),
      cause: error,
    })
  }
  return size
}

export async function loadLlamaModel(options: LoadLlamaModelOptions): Promise<LoadedLlamaModel> {
  const { config, hardware } = options
  const log = (options.logger ?? defaultLogger()).forComponent('cocoon:gpu-runtime:llama')
  const path = await resolveSource(config.source, options.modelsDir)
  const size = await checkGgufFile(path)
  const selection = selectLlamaGpu(hardware, config.gpu)
  checkMemoryBudget(config, hardware, selection.gpu, size, options.memoryLimitBytes ?? freemem())
  const llama = await getLlamaFor(selection.gpu)
  const threads = defaultThreads(hardware.cpu.cores, config.threads)
  const sequences = Math.max(1, config.maxConcurrency ?? 1)
  const model = await loadModelFile(llama, config, path)
  const context = await createContext(model, config, { sequences, threads }, log)
  const { resolveChatWrapper } = await import('node-llama-cpp')
  const chatWrapper = resolveChatWrapper(model)
  const pool = new SequencePool(context, sequences)
  return {
    llama,
    model,
    context,
    chatWrapper,
    backend: `llama.cpp/${llama.gpu === false ? 'cpu' : llama.gpu}`,
    threads,
    path,
    acquire: (signal) => pool.acquire(signal),
    release: (sequence) => pool.release(sequence),
    async dispose() {
      // Both are released even when the first fails; at shutdown a failure is only worth a debug line.
      await context
        .dispose()
        .catch((error: unknown) => log('disposing the context of %s failed: %e', path, error))
      await model.dispose().catch((error: unknown) => log('disposing the model %s failed: %e', path, error))
    },
  }
}

/** Throws ModelTooLargeError when the file is bigger than free RAM (plus VRAM when a GPU is used). */
function checkMemoryBudget(
  config: LlamaModelConfig,
  hardware: HardwareInfo,
  gpu: LlamaGpuOption,
  size: number,
  limit: number,
): void {
  const vram = hardware.gpus.reduce((sum, g) => sum + (g.vramFreeMb ?? g.vramMb) * 1024 * 1024, 0)
  const budget = gpu === false ? limit : limit + vram
  if (size > budget) {
    throw new ModelTooLargeError(`Model ${config.name} is too large for this machine`, {
      details: `The file is ${mb(size)} MB but only ${mb(budget)} MB of memory is available (${mb(limit)} MB RAM${gpu === false ? '' : ` + ${mb(vram)} MB VRAM`}). Use a smaller quantization or a machine with more memory.`,
    })
  }
}

async function loadModelFile(llama: Llama, config: LlamaModelConfig, path: string): Promise<LlamaModel> {
  try {
    return await llama.loadModel({ modelPath: path, gpuLayers: llama.gpu === false ? 0 : 'auto' })
  } catch (error) {
    if (isInsufficientMemory(error)) {
      throw new ModelTooLargeError(`Model ${config.name} does not fit in memory`, {
        details: `node-llama-cpp: ${errorMessage(error)}`,
        cause: error,
      })
    }
    throw new ModelCorruptError(`Could not load model ${config.name} from ${path}`, {
      details: `llama.cpp rejected the file: ${errorMessage(error)}. The file may be truncated, corrupt or of an unsupported architecture.`,
      cause: error,
    })
  }
}

/** Creates the context; on failure disposes the model and throws the typed error. */
async function createContext(
  model: LlamaModel,
  config: LlamaModelConfig,
  size: { sequences: number; threads: number },
  log: Logger,
): Promise<LlamaContext> {
  try {
    return await model.createContext({
      contextSize: config.contextSize ?? Math.min(model.trainContextSize, 4096),
      sequences: size.sequences,
      threads: size.threads,
    })
  } catch (error) {
    await model
      .dispose()
      .catch((disposeError: unknown) => log('disposing the model %s failed: %e', config.name, disposeError))
    const ErrorClass = isInsufficientMemory(error) ? ModelTooLargeError : ModelLoadError
    throw new ErrorClass(`Could not create a context for ${config.name}`, {
      details: `${errorMessage(error)}. Try a smaller contextSize or maxConcurrency.`,
      cause: error,
    })
  }
}

/** The context's sequences, one per concurrent job; a job waits for a free one. */
class SequencePool {
  private readonly free: LlamaContextSequence[] = []
  private readonly waiters: Array<(s: LlamaContextSequence) => void> = []

  constructor(context: LlamaContext, sequences: number) {
    for (let i = 0; i < sequences; i++) this.free.push(context.getSequence())
  }

  /** A free sequence, or the next one released; rejects with `signal.reason` when it fires first. */
  async acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    const s = this.free.pop()
    if (s !== undefined) return s
    if (signal?.aborted === true) throw signal.reason
    return await new Promise<LlamaContextSequence>((resolve, reject) => {
      const waiter = (seq: LlamaContextSequence): void => {
        signal?.removeEventListener('abort', onAbort)
        resolve(seq)
      }
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter)
        if (i >= 0) this.waiters.splice(i, 1)
        reject(signal?.reason)
      }
      this.waiters.push(waiter)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  release(sequence: LlamaContextSequence): void {
    const next = this.waiters.shift()
    if (next !== undefined) next(sequence)
    else this.free.push(sequence)
  }
}

/**
 * node-llama-cpp's `InsufficientMemoryError`, matched by name: the class lives
 * in the lazily imported native module, which this file does not load eagerly.
 */
function isInsufficientMemory(error: unknown): boolean {
  return error instanceof Error && error.name === 'InsufficientMemoryError'
}

function mb(bytes: number): number {
  return Math.round(bytes / (1024 * 1024))
}
