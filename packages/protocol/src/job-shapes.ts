/**
 * The shapes of a job's content shared by the client that asks for it and the
 * runtime that serves it: chat turns, output constraints, tools and dense
 * tensors (tool calls are the wire's own `ToolCall`). Pure types and the
 * conversions both sides need, with nothing of a model runtime, so a light
 * client can use them without installing one.
 */
import type { ToolCall } from './generated/cocoon.js'

/**
 * One chat message as a caller writes it; `role` is usually `system`, `user`
 * or `assistant`, or `tool` for the result of an earlier call (`toolCallId`
 * names it). An assistant turn may carry the `toolCalls` it made (`content`
 * then often empty). On the wire it is a `ChatMessage`, whose tool fields
 * are always present ({@link messagesToWire}).
 */
export interface ChatTurn {
  role: string
  content: string
  toolCalls?: ToolCall[]
  toolCallId?: string
}

/** A JSON schema as a plain JSON object. */
export type JsonSchema = { [key: string]: unknown }

/**
 * `json_object`: the completion is one JSON object. `json_schema`: the
 * completion is JSON valid against `schema`. `grammar`: the completion is
 * text of a GBNF grammar (llama.cpp's grammar format).
 */
export type ResponseFormat =
  | { type: 'json_object' }
  | { type: 'json_schema'; schema: JsonSchema }
  | { type: 'grammar'; grammar: string }

/** A function the model may call: `parameters` is the JSON schema of its arguments (default: any object). */
export interface ToolDefinition {
  name: string
  description?: string
  parameters?: JsonSchema
}

/**
 * `auto`: the model answers in text or calls a tool; `none`: tools are
 * ignored; `required`: it calls one of the tools; `{ name }`: it calls that one.
 */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string }

/** The generation options beyond prompt and sampling basics. */
export interface GenerationConstraints {
  /**
   * Generation ends before the first occurrence of any of these (at most 4,
   * each 1-128 characters); the stop string is not emitted and the finish
   * reason is `stop`. Text that could still become a stop string is held back.
   */
  stop?: string[]
  /** Nucleus sampling in (0, 1]; default 1 (off). */
  topP?: number
  /** [-2, 2]: lowers the odds of any token already generated; default 0. */
  presencePenalty?: number
  /** [-2, 2]: lowers the odds of a token by how often it was generated; default 0. */
  frequencyPenalty?: number
  /** The shape the completion must have, enforced while decoding. Not with `tools`. */
  responseFormat?: ResponseFormat
  /** Functions the model may call (at most 32); see {@link ToolChoice}. */
  tools?: ToolDefinition[]
  /** Default `auto` when `tools` are given. */
  toolChoice?: ToolChoice
}

/** The element type of a {@link Tensor} (the wire's `DType` enum is its encoding). */
export type TensorDType = 'float32' | 'float16' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool'

/** A dense tensor; `data` is little-endian, row-major, `byteLength = prod(shape) * size(dtype)`. */
export interface Tensor {
  name: string
  dtype: TensorDType
  shape: number[]
  data: Uint8Array
}

/** The bytes of `data` in a buffer aligned to `alignment`: its own when it is, else a copy. */
export function alignedBuffer(data: Uint8Array, alignment: number): ArrayBuffer {
  if (data.byteOffset % alignment === 0 && data.buffer instanceof ArrayBuffer) {
    return data.buffer
  }
  return data.slice().buffer as ArrayBuffer
}

/** The values of a float32 tensor (a view when its bytes are aligned, else a copy). */
export function readFloat32(tensor: Tensor): Float32Array {
  return new Float32Array(
    alignedBuffer(tensor.data, 4),
    tensor.data.byteOffset % 4 === 0 ? tensor.data.byteOffset : 0,
    tensor.data.byteLength / 4,
  )
}
