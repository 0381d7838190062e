/**
 * Tokens/s of the generated tiny model through the runtime's interface
 * (admission + stream) vs node-llama-cpp's own evaluate loop, same model,
 * same threads, interleaved rounds in one process, best round of each
 * (other processes on a shared machine only slow rounds down).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { reportBench } from '@cocoon-mesh/protocol'
import { getLlama, type Token } from 'node-llama-cpp'
import { writeTinyGguf } from '../gguf/tiny-llama.js'
import { detectHardware } from '../hardware.js'
import { defaultThreads } from '../llm/select-gpu.js'
import { createRuntime } from '../runtime.js'
import type { HardwareInfo } from '../types.js'
import { best } from './util.js'

const TOKENS = 256
const ROUNDS = 9
const PROMPT = 'The quick brown fox'

interface Round {
  wall: number
}

/** Times the tokens after the first (prefill excluded). */
function timer(): { first(): void; done(tokens: number): Round } {
  let t0 = 0
  return {
    first() {
      t0 = performance.now()
    },
    done(tokens) {
      return { wall: (tokens - 1) / ((performance.now() - t0) / 1000) }
    },
  }
}

export async function benchLlm(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-bench-llm-'))
  try {
    const path = join(dir, 'tiny.gguf')
    await writeTinyGguf(path)
    const hardware = await detectHardware()
    const threads = defaultThreads(hardware.cpu.cores)
    const direct = await directRounds(path, threads)
    const viaRuntime = await runtimeRounds(path, threads, hardware)
    await direct.round()
    await viaRuntime.round()
    const a: Round[] = []
    const b: Round[] = []
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await direct.round())
      b.push(await viaRuntime.round())
    }
    const name = `gpu-runtime/llm tiny model (${threads} thread, cpu): runtime vs node-llama-cpp`
    reportBench({
      bench: `${name}, tokens/s`,
      value: best(b.map((r) => r.wall)),
      unit: 'tokens/s',
      baseline: best(a.map((r) => r.wall)),
    })
    await viaRuntime.close()
    await direct.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

interface Rounds {
  round(): Promise<Round>
  close(): Promise<void>
}

/** The baseline: node-llama-cpp's evaluate loop on one sequence. */
async function directRounds(path: string, threads: number): Promise<Rounds> {
  const llama = await getLlama({ gpu: false, build: 'never' })
  const model = await llama.loadModel({ modelPath: path })
  const context = await model.createContext({ contextSize: 512, threads })
  const sequence = context.getSequence()
  return {
    async round() {
      await sequence.clearHistory()
      const input = [model.tokens.bos as Token, ...model.tokenize(PROMPT)]
      const t = timer()
      let n = 0
      let text = ''
      for await (const token of sequence.evaluate(input, { temperature: 0 })) {
        if (n === 0) t.first()
        text += model.detokenize([token])
        if (++n >= TOKENS) break
      }
      if (text.length === 0) throw new Error('no output')
      return t.done(n)
    },
    async close() {
      await context.dispose()
      await model.dispose()
    },
  }
}

/** The same model through the runtime interface (admission + stream). */
async function runtimeRounds(path: string, threads: number, hardware: HardwareInfo): Promise<Rounds> {
  const runtime = await createRuntime({
    hardware: { ...hardware, gpus: [] },
    models: [{ kind: 'llama', name: 'tiny', source: path, gpu: 'cpu', threads, contextSize: 512 }],
    tensor: false,
  })
  return {
    async round() {
      const t = timer()
      let n = 0
      for await (const chunk of runtime.generate({ model: 'tiny', prompt: PROMPT, maxTokens: TOKENS })) {
        if (n === 0) t.first()
        n += chunk.tokens
      }
      return t.done(n)
    },
    close: () => runtime.close(),
  }
}
