/**
 * A deterministic tiny llama-architecture GGUF model for tests, the demo and
 * benchmarks: random weights from a seeded PRNG, a byte-fallback SentencePiece
 * vocabulary of a few hundred tokens and a ChatML chat template. Its output is
 * not meaningful text; it exercises the real inference path end to end.
 */
import { writeFile } from 'node:fs/promises'
import { mulberry32 } from './prng.js'
import { encodeGguf, type GgufTensor, type GgufValue } from './writer.js'

export interface TinyLlamaOptions {
  /** PRNG seed for the weights (default 1). */
  seed?: number
  /** Hidden size (default 64). */
  embeddingLength?: number
  /** Transformer blocks (default 2). */
  blockCount?: number
  /** Attention heads (default 4); must divide `embeddingLength`. */
  headCount?: number
  /** Feed-forward size (default 128). */
  feedForwardLength?: number
  /** Context length the model claims (default 2048). */
  contextLength?: number
  /** Model name in `general.name` (default `cocoon-tiny-llama`). */
  name?: string
}

/** Token ids of the special tokens of the tiny vocabulary. */
export const TINY_LLAMA_SPECIAL_TOKENS = {
  unk: 0,
  bos: 1,
  eos: 2,
  imStart: 3,
  imEnd: 4,
} as const

/** The ChatML template stored in `tokenizer.chat_template`. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"

const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const

function buildVocab(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens: string[] = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>']
  const types: number[] = [
    TOKEN_TYPE.unknown,
    TOKEN_TYPE.control,
    TOKEN_TYPE.control,
    TOKEN_TYPE.control,
    TOKEN_TYPE.control,
  ]
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)
    types.push(TOKEN_TYPE.byte)
  }
  const pieces = new Set<string>()
  pieces.add('\u2581')
  const lower = 'abcdefghijklmnopqrstuvwxyz'
  for (const c of `${lower}${lower.toUpperCase()}0123456789.,!?'-:;\n`) pieces.add(c)
  for (const c of lower) pieces.add(`\u2581${c}`)
  for (const w of [
    'the',
    'and',
    'to',
    'of',
    'is',
    'you',
    'in',
    'it',
    'on',
    'for',
    'hello',
    'world',
    'user',
  ]) {
    pieces.add(`\u2581${w}`)
  }
  for (const p of ['er', 'in', 'on', 'an', 're', 'th', 'he', 'ing', 'ed', 'es', 'or', 'at', 'en', 'st'])
    pieces.add(p)
  const scores: number[] = tokens.map(() => 0)
  for (const p of pieces) {
    tokens.push(p)
    types.push(TOKEN_TYPE.normal)
    // SentencePiece merges higher scores first: prefer longer pieces.
    scores.push(-100 + 10 * [...p].length)
  }
  return { tokens, scores, types }
}

/**
 * Builds the tiny model's GGUF bytes. Same options, same bytes. Takes a few
 * milliseconds.
 */
export function generateTinyLlamaGguf(options: TinyLlamaOptions = {}): Uint8Array {
  const shape: TinyShape = {
    nEmbd: options.embeddingLength ?? 64,
    nLayer: options.blockCount ?? 2,
    nHead: options.headCount ?? 4,
    nFf: options.feedForwardLength ?? 128,
    nCtx: options.contextLength ?? 2048,
  }
  if (shape.nEmbd % shape.nHead !== 0) throw new RangeError('embeddingLength must be a multiple of headCount')
  const vocab = buildVocab()
  const tensors = tinyTensors(shape, vocab.tokens.length, mulberry32(options.seed ?? 1))
  return encodeGguf(tinyMetadata(shape, vocab, options.name ?? 'cocoon-tiny-llama'), tensors)
}

interface TinyShape {
  nEmbd: number
  nLayer: number
  nHead: number
  nFf: number
  nCtx: number
}

/** The llama weights: random, scaled by fan-in, with unit norms. */
function tinyTensors(shape: TinyShape, nVocab: number, rand: () => number): GgufTensor[] {
  const { nEmbd, nLayer, nFf } = shape
  const randomMatrix = (n: number, fanIn: number): Float32Array => {
    const scale = 1 / Math.sqrt(fanIn)
    const a = new Float32Array(n)
    for (let i = 0; i < n; i++) a[i] = (rand() * 2 - 1) * scale * 1.7
    return a
  }
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1)

  const tensors: GgufTensor[] = []
  tensors.push({ name: 'token_embd.weight', dims: [nEmbd, nVocab], data: randomMatrix(nEmbd * nVocab, 1) })
  for (let l = 0; l < nLayer; l++) {
    const p = `blk.${l}.`
    tensors.push({ name: `${p}attn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) })
    for (const w of ['attn_q', 'attn_k', 'attn_v', 'attn_output']) {
      tensors.push({
        name: `${p}${w}.weight`,
        dims: [nEmbd, nEmbd],
        data: randomMatrix(nEmbd * nEmbd, nEmbd),
      })
    }
    tensors.push({ name: `${p}ffn_norm.weight`, dims: [nEmbd], data: ones(nEmbd) })
    tensors.push({ name: `${p}ffn_gate.weight`, dims: [nEmbd, nFf], data: randomMatrix(nEmbd * nFf, nEmbd) })
    tensors.push({ name: `${p}ffn_up.weight`, dims: [nEmbd, nFf], data: randomMatrix(nEmbd * nFf, nEmbd) })
    tensors.push({ name: `${p}ffn_down.weight`, dims: [nFf, nEmbd], data: randomMatrix(nFf * nEmbd, nFf) })
  }
  tensors.push({ name: 'output_norm.weight', dims: [nEmbd], data: ones(nEmbd) })
  const output = randomMatrix(nEmbd * nVocab, nEmbd)
  // Special tokens get a zero output row (logit 0 while the others are
  // random), so greedy generation practically never ends early: every run
  // produces exactly maxTokens tokens, which keeps token counts testable.
  for (const id of Object.values(TINY_LLAMA_SPECIAL_TOKENS)) output.fill(0, id * nEmbd, (id + 1) * nEmbd)
  tensors.push({ name: 'output.weight', dims: [nEmbd, nVocab], data: output })
  return tensors
}

/** The llama architecture, tokenizer and ChatML template metadata. */
function tinyMetadata(
  shape: TinyShape,
  vocab: ReturnType<typeof buildVocab>,
  name: string,
): Record<string, GgufValue> {
  return {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: name },
    'general.file_type': { type: 'u32', value: 0 },
    'llama.context_length': { type: 'u32', value: shape.nCtx },
    'llama.embedding_length': { type: 'u32', value: shape.nEmbd },
    'llama.block_count': { type: 'u32', value: shape.nLayer },
    'llama.feed_forward_length': { type: 'u32', value: shape.nFf },
    'llama.rope.dimension_count': { type: 'u32', value: shape.nEmbd / shape.nHead },
    'llama.attention.head_count': { type: 'u32', value: shape.nHead },
    'llama.attention.head_count_kv': { type: 'u32', value: shape.nHead },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-5 },
    'llama.vocab_size': { type: 'u32', value: vocab.tokens.length },
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'string[]', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'f32[]', value: vocab.scores },
    'tokenizer.ggml.token_type': { type: 'i32[]', value: vocab.types },
    'tokenizer.ggml.unknown_token_id': { type: 'u32', value: TINY_LLAMA_SPECIAL_TOKENS.unk },
    'tokenizer.ggml.bos_token_id': { type: 'u32', value: TINY_LLAMA_SPECIAL_TOKENS.bos },
    'tokenizer.ggml.eos_token_id': { type: 'u32', value: TINY_LLAMA_SPECIAL_TOKENS.imEnd },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
    'tokenizer.ggml.add_eos_token': { type: 'bool', value: false },
    'tokenizer.chat_template': { type: 'string', value: CHATML_TEMPLATE },
  }
}

/** Writes the tiny model to `path` and returns its size in bytes. */
export async function writeTinyGguf(path: string, options: TinyLlamaOptions = {}): Promise<number> {
  const bytes = generateTinyLlamaGguf(options)
  await writeFile(path, bytes)
  return bytes.byteLength
}
