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

export {
  Admission,
  type AdmissionInit,
  type AdmitOptions,
  type Release,
  type Reservation,
} from './admission.js'
export {
  CAPACITY_FILE,
  capacityKey,
  measureMatmulGflops,
  measureTokensPerSecond,
  readCachedCapacity,
  type SelfBenchmarkOptions,
  selfBenchmark,
} from './benchmark.js'
export * from './errors.js'
export {
  CHATML_TEMPLATE,
  generateTinyLlamaGguf,
  TINY_LLAMA_SPECIAL_TOKENS,
  type TinyLlamaOptions,
  writeTinyGguf,
} from './gguf/tiny-llama.js'
export { type GgufSummary, type ReadGgufSummaryErrorType, readGgufSummary } from './gguf/validate.js'
export { encodeGguf, type GgufTensor, type GgufValue } from './gguf/writer.js'
export {
  type DetectHardwareOptions,
  describeCompute,
  detectHardware,
  NVIDIA_SMI_ARGS,
  parseCpuInfo,
  parseMemInfo,
  parseNvidiaSmiCsv,
  queryNvidiaSmi,
} from './hardware.js'
export { validateEmbedRequest } from './llm/embed-request.js'
export {
  type CheckGrammarSchemaErrorType,
  checkGrammarSchema,
  MAX_SCHEMA_DEPTH,
} from './llm/json-schema-subset.js'
export {
  createLlamaBackend,
  LLAMA_FEATURES,
  type LlamaBackend,
  type LlamaBackendInit,
  type LlamaBackendLoadErrorType,
} from './llm/llama-backend.js'
export { type LlamaBinaryProbe, probeLlamaBinary } from './llm/llama-binary.js'
export { toolsPrompt } from './llm/llama-grammar.js'
export { createOpenAiBackend, OPENAI_DEFAULT_FEATURES, type OpenAiBackendInit } from './llm/openai-backend.js'
export { type PullModelOptions, pullModel } from './llm/pull.js'
export {
  checkFeatures,
  MAX_PROMPT_CHARS,
  requestFeatures,
  usesTools,
  validateGenerateRequest,
} from './llm/request.js'
export { defaultThreads, selectLlamaGpu } from './llm/select-gpu.js'
export { readSseData } from './llm/sse.js'
export { StoppingEmitter } from './llm/stop.js'
export {
  type CreateGenerationStreamOptions,
  createGenerationStream,
  isProducerBackend,
  type ProducerBackend,
  type StreamProducerContext,
} from './llm/stream.js'
export { createRuntime, TENSOR_LANE } from './runtime.js'
export {
  createOnnxBackend,
  DEFAULT_MAX_GRAPH_BYTES,
  DEFAULT_MAX_TENSOR_BYTES,
  type OnnxBackendInit,
  type OnnxReadyErrorType,
  type OnnxTensorBackend,
} from './tensor/onnx-backend.js'
export {
  encodeOnnxModel,
  matmulModel,
  ONNX_ELEM_TYPE,
  type OnnxGraph,
  type OnnxNode,
  type OnnxValueInfo,
} from './tensor/onnx-proto.js'
export { DTYPE_BYTES, elementCount, float32Tensor, validateTensor } from './tensor/tensor.js'
export type * from './types.js'
export {
  type ConstraintsFromWireErrorType,
  constraintsFromWire,
  contextLimitOf,
  type DtypeFromWireErrorType,
  dtypeFromWire,
  dtypeToWire,
  gpuInfo,
  jobErrorCode,
  rejectReason,
  tensorHeader,
  usageToWire,
} from './wire.js'
