/** How the gpu-runtime is configured: its models (llama.cpp or an OpenAI-compatible upstream), tensor jobs and admission. */
import type { FeatureName } from '@cocoon-mesh/protocol'
import type { ComponentLogger } from '@libp2p/interface'
import type { TensorProvider } from './tensor/tensor-types.js'
import type { GpuPreference, HardwareInfo } from './types.js'

export interface LlamaModelConfig {
  kind: 'llama'
  /** Name clients ask for. */
  name: string
  /** Local GGUF path or an `hf:` URI (downloaded by node-llama-cpp into `modelsDir`). */
  source: string
  gpu?: GpuPreference
  /** CPU threads, default `max(1, cores - 1)`. */
  threads?: number
  /** Context size in tokens (default: min(model's, 4096)). */
  contextSize?: number
  /** Parallel sequences = concurrency for this model (default 1). */
  maxConcurrency?: number
  /** Queued jobs beyond concurrency (default 16). */
  maxQueue?: number
}

export interface OpenAiModelConfig {
  kind: 'openai'
  name: string
  /** e.g. `http://127.0.0.1:8000` (vLLM), `http://127.0.0.1:8080` (llama-server), `http://127.0.0.1:11434` (Ollama). */
  baseUrl: string
  /** The model name the upstream expects (default: `name`). */
  upstreamModel?: string
  apiKey?: string
  /** Connect+headers timeout in ms (default 10 000). */
  timeoutMs?: number
  maxConcurrency?: number
  maxQueue?: number
  /**
   * What the upstream honours and the offer advertises (default: stop,
   * top_p, penalties, json_object, json_schema and tools, which vLLM and
   * Ollama accept; add `grammar` for vLLM's `guided_grammar`).
   */
  features?: FeatureName[]
  /**
   * The upstream's context size for this model in tokens, stated in offers
   * (default: not stated). The upstream still decides; this only lets a
   * client refuse a `max_tokens` that cannot fit before sending the job.
   */
  contextSize?: number
  /** The upstream serves `/v1/embeddings` for this model (default false). */
  embeddings?: boolean
}

export type LlmModelConfig = LlamaModelConfig | OpenAiModelConfig

export interface TensorConfig {
  /** `auto` (default) tries CUDA when a GPU was detected, else CPU. */
  provider?: 'auto' | TensorProvider
  /** Max ONNX graph bytes (default 64 MiB). */
  maxGraphBytes?: number
  /** Max bytes of one tensor (default 256 MiB). */
  maxTensorBytes?: number
  /** ORT intra-op threads (default `max(1, cores - 1)`). */
  threads?: number
  maxConcurrency?: number
  maxQueue?: number
}

export interface RuntimeConfig {
  /** Folder for the benchmark cache and downloaded models. */
  home?: string
  models?: LlmModelConfig[]
  /** Tensor jobs; omit or `false` to disable. */
  tensor?: TensorConfig | false
  /** Detected if omitted. */
  hardware?: HardwareInfo
  /** Clock for admission and deadlines (default `Date.now`). */
  now?: () => number
  /** Where the runtime and its backends log (default `defaultLogger()` of @libp2p/logger). */
  logger?: ComponentLogger
}
