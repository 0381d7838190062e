/**
 * @packageDocumentation
 *
 * The gpu-runtime runs the two kinds of jobs the mesh sells, on the best
 * hardware the provider has: LLM generation (a GGUF model through
 * node-llama-cpp, CUDA when present and CPU otherwise, or an OpenAI-compatible
 * upstream such as vLLM, llama-server or Ollama) streamed as tokens with exact
 * usage, and tensor jobs (a built-in matmul or a client ONNX graph) through
 * onnxruntime-node. It discovers the hardware, measures capacity with a short
 * cached self-benchmark, and admits jobs through a bounded concurrency and
 * queue per model with cancellation and deadlines.
 */
export * from './errors.js'
export type * from './types.js'
