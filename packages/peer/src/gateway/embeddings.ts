/**
 * `POST /v1/embeddings`: validated with ajv (every field honoured or refused
 * by name), refused at once for a model no live offer embeds, then run as an
 * embedding job on the mesh. `encoding_format` `float` and `base64` (little-
 * endian float32, as OpenAI sends it) are honoured; `dimensions` is refused.
 */
import type { ServerResponse } from 'node:http'
import type { EmbedJobResult, EmbedParameters, PriceCap } from '@cocoon-mesh/client/internal'
import { canonicalModelId, type Offer } from '@cocoon-mesh/protocol'
import { Ajv } from 'ajv'
import { invalidRequest, type OpenAiError, openAiError, toOpenAiError } from './errors.js'
import type { RequestRecord } from './request-log.js'
import { sendError, sendJson } from './respond.js'

/** Texts one embedding request may carry, as the embedding job takes them. */
const MAX_INPUTS = 256

const schema = {
  type: 'object',
  required: ['model', 'input'],
  additionalProperties: false,
  properties: {
    model: { type: 'string', minLength: 1, pattern: '\\S' },
    input: {
      type: ['string', 'array'],
      minLength: 1,
      minItems: 1,
      maxItems: MAX_INPUTS,
      items: { type: 'string', minLength: 1 },
    },
    encoding_format: { enum: ['float', 'base64'] },
    dimensions: { type: 'integer', minimum: 1 },
    user: { type: 'string', maxLength: 256 },
    max_price: { type: ['integer', 'string'], minimum: 0, pattern: '^[0-9]+$' },
  },
}

interface EmbeddingBody {
  model: string
  input: string | string[]
  encoding_format?: 'float' | 'base64'
  dimensions?: number
  user?: string
  max_price?: number | string
}

const validate = new Ajv({ allowUnionTypes: true, strictTypes: false }).compile<EmbeddingBody>(schema)

export interface EmbeddingContext {
  embed: (params: EmbedParameters) => Promise<EmbedJobResult>
  offers: readonly Offer[]
  now: number
  maxPrice?: PriceCap
  record: RequestRecord
  headers: Record<string, string>
  signal: AbortSignal
}

/** The 400 for a body that does not validate, naming the field. */
function violation(): OpenAiError {
  const e = validate.errors?.[0]
  const path = e?.instancePath.slice(1).replaceAll('/', '.') ?? ''
  if (e?.keyword === 'additionalProperties') {
    const extra = String(e.params.additionalProperty)
    return invalidRequest(`Unrecognized request argument supplied: ${extra}`, 'unknown_parameter', extra)
  }
  const param = e?.keyword === 'required' ? String(e.params.missingProperty) : path.split('.')[0] || null
  return invalidRequest(`\`${param ?? 'the body'}\` ${e?.message ?? 'is invalid'}`, 'invalid_value', param)
}

export async function embeddings(res: ServerResponse, body: unknown, ctx: EmbeddingContext): Promise<void> {
  if (!validate(body)) return refuse(res, violation(), ctx)
  const b = body
  ctx.record.model = b.model
  if (b.user !== undefined) ctx.record.user = b.user
  if (b.dimensions !== undefined) {
    return refuse(
      res,
      invalidRequest(
        '`dimensions` is not supported: the model returns its own size',
        'unsupported_parameter',
        'dimensions',
      ),
      ctx,
    )
  }
  const model = canonicalModelId(b.model)
  const embeds = ctx.offers.some(
    (o) =>
      o.expiresAt > BigInt(Math.floor(ctx.now)) &&
      o.jobKinds.includes('embedding') &&
      o.models.some((m) => canonicalModelId(m) === model),
  )
  if (!embeds) {
    return refuse(
      res,
      openAiError(
        404,
        `No provider offers embeddings of \`${b.model}\` now`,
        'invalid_request_error',
        'model_not_found',
        'model',
      ),
      ctx,
    )
  }
  const inputs = typeof b.input === 'string' ? [b.input] : b.input
  const maxPrice = b.max_price !== undefined ? BigInt(b.max_price) : ctx.maxPrice
  let result: EmbedJobResult
  try {
    result = await ctx.embed({
      model: b.model,
      inputs,
      signal: ctx.signal,
      ...(maxPrice !== undefined ? { maxPrice } : {}),
    })
  } catch (err) {
    return refuse(res, toOpenAiError(err), ctx)
  }
  ctx.record.promptTokens = result.usage.promptTokens
  const provider = result.usage.parts.at(-1)?.providerId
  if (provider !== undefined) ctx.record.provider = provider
  sendJson(
    res,
    200,
    {
      object: 'list',
      data: result.embeddings.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: b.encoding_format === 'base64' ? base64(v) : [...v],
      })),
      model: b.model,
      usage: { prompt_tokens: result.usage.promptTokens, total_tokens: result.usage.promptTokens },
      cocoon: { cost_nanoton: result.usage.cost.toString() },
    },
    ctx.headers,
  )
}

function base64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
}

function refuse(res: ServerResponse, error: OpenAiError, ctx: EmbeddingContext): void {
  ctx.record.error = error.body.error.message
  sendError(res, error, ctx.headers)
}
