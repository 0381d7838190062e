/**
 * Tokens/s of the generated tiny model through the runtime's interface
 * (admission + stream) vs node-llama-cpp's own evaluate loop, same model,
 * same threads, interleaved rounds in one process.
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
import { median } from './util.js'

const TOKENS = 256
const ROUNDS = 7
const PROMPT = 'The quick brown fox'

export async function benchLlm(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-bench-llm-'))
  try {
    const path = join(dir, 'tiny.gguf')
    await writeTinyGguf(path)
    const hardware = await detectHardware()
    const threads = defaultThreads(hardware.cpu.cores)

    // Baseline: node-llama-cpp directly.
    const llama = await getLlama({ gpu: false, build: 'never' })
    const model = await llama.loadModel({ modelPath: path })
    const context = await model.createContext({ contextSize: 512, threads })
    const sequence = context.getSequence()
    const direct = async (): Promise<number> => {
      await sequence.clearHistory()
      const input = [model.tokens.bos as Token, ...model.tokenize(PROMPT)]
      let n = 0
      let first = 0
      let text = ''
      for await (const token of sequence.evaluate(input, { temperature: 0 })) {
        if (n === 0) first = performance.now()
        text += model.detokenize([token])
        if (++n >= TOKENS) break
      }
      if (text.length === 0) throw new Error('no output')
      return (n - 1) / ((performance.now() - first) / 1000)
    }

    // Through the runtime interface.
    const runtime = await createRuntime({
      hardware: { ...hardware, gpus: [] },
      models: [{ kind: 'llama', name: 'tiny', source: path, gpu: 'cpu', threads, contextSize: 512 }],
      tensor: false,
    })
    const viaRuntime = async (): Promise<number> => {
      let n = 0
      let first = 0
      for await (const chunk of runtime.generate({ model: 'tiny', prompt: PROMPT, maxTokens: TOKENS })) {
        if (n === 0) first = performance.now()
        n += chunk.tokens
      }
      return (n - 1) / ((performance.now() - first) / 1000)
    }

    await direct()
    await viaRuntime()
    const a: number[] = []
    const b: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await direct())
      b.push(await viaRuntime())
    }
    reportBench({
      bench: `gpu-runtime/llm tokens/s tiny model (${threads} thread, cpu): runtime vs node-llama-cpp`,
      value: median(b),
      unit: 'tokens/s',
      baseline: median(a),
    })
    await runtime.close()
    await context.dispose()
    await model.dispose()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
