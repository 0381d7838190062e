/**
 * The JSON schemas of `/v1/chat/completions` and `/v1/completions` bodies,
 * checked with ajv: types and ranges of every parameter in the table
 * ({@link PARAMETERS}), and no field outside it. The first violation becomes
 * an OpenAI-style 400 naming the parameter (`messages[0].role`).
 */
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv'
import { type OpenAiError, openAiError } from './errors.js'
import { type Endpoint, parametersOf } from './parameters.js'

/** The largest `max_tokens` the gateway forwards. */
export const MAX_TOKENS_LIMIT = 32_768

/** Chat roles a runtime's chat template understands (`tool`: the result of an earlier tool call). */
export const CHAT_ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const

const maxTokens = { type: 'integer', minimum: 1, maximum: MAX_TOKENS_LIMIT }

/** A content part: only text (its `type` is checked before `text`, so an image part is named by its type). */
const textPart = {
  type: 'object',
  additionalProperties: false,
  properties: { type: { const: 'text' }, text: { type: 'string' } },
  allOf: [{ required: ['type'], properties: { type: { const: 'text' } } }, { required: ['text'] }],
}

/** An assistant's earlier call of a tool, as OpenAI's API sends it back. */
const toolCall = {
  type: 'object',
  required: ['id', 'type', 'function'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    type: { const: 'function' },
    function: {
      type: 'object',
      required: ['name', 'arguments'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
        arguments: { type: 'string', maxLength: 32 * 1024 },
      },
    },
  },
}

// which role may carry which tool field is checked after the schema (tool-turns.ts), with OpenAI's words
const message = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: {
    role: { enum: CHAT_ROLES },
    content: { type: ['string', 'array', 'null'], items: textPart },
    tool_calls: { type: 'array', minItems: 1, maxItems: 32, items: toolCall },
    tool_call_id: { type: 'string', minLength: 1, maxLength: 128 },
  },
}

/** Types and ranges per parameter; refused parameters are typed too, so a wrong type is named as such. */
const PROPERTIES: Record<string, SchemaObject> = {
  model: { type: 'string', minLength: 1, pattern: '\\S' },
  messages: { type: 'array', minItems: 1, items: message },
  prompt: { type: ['string', 'array'], minLength: 1, minItems: 1, maxItems: 1, items: { type: 'string' } },
  stream: { type: 'boolean' },
  stream_options: {
    type: 'object',
    additionalProperties: false,
    properties: { include_usage: { type: 'boolean' } },
  },
  max_tokens: maxTokens,
  max_completion_tokens: maxTokens,
  temperature: { type: 'number', minimum: 0, maximum: 2 },
  seed: { type: 'integer', minimum: 0, maximum: 0xffff_ffff },
  user: { type: 'string', maxLength: 256 },
  max_price: { type: ['integer', 'string'], minimum: 0, pattern: '^[0-9]+$' },
  min_trust_tier: { enum: ['open', 'verified', 'attested'] },
  n: { type: 'integer', minimum: 1, maximum: 128 },
  stop: {
    type: ['string', 'array'],
    minLength: 1,
    maxLength: 128,
    maxItems: 4,
    items: { type: 'string', minLength: 1, maxLength: 128 },
  },
  top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
  presence_penalty: { type: 'number', minimum: -2, maximum: 2 },
  frequency_penalty: { type: 'number', minimum: -2, maximum: 2 },
  response_format: {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: ['text', 'json_object', 'json_schema'] } },
    if: { properties: { type: { const: 'json_schema' } } },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword
    then: {
      required: ['json_schema'],
      properties: {
        json_schema: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 64 },
            description: { type: 'string' },
            schema: { type: 'object' },
            strict: { type: ['boolean', 'null'] },
          },
        },
      },
    },
    else: { additionalProperties: false, properties: { type: {} } },
  },
  tools: {
    type: 'array',
    minItems: 1,
    maxItems: 32,
    items: {
      type: 'object',
      required: ['type', 'function'],
      additionalProperties: false,
      properties: {
        type: { const: 'function' },
        function: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
            description: { type: 'string' },
            parameters: { type: 'object' },
            strict: { type: ['boolean', 'null'] },
          },
        },
      },
    },
  },
  tool_choice: {
    anyOf: [
      { enum: ['none', 'auto', 'required'] },
      {
        type: 'object',
        required: ['type', 'function'],
        additionalProperties: false,
        properties: {
          type: { const: 'function' },
          function: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: { type: 'string', minLength: 1 } },
          },
        },
      },
    ],
  },
  parallel_tool_calls: { type: 'boolean' },
  functions: { type: 'array' },
  function_call: { type: ['string', 'object'] },
  logprobs: { type: ['boolean', 'integer'] },
  top_logprobs: { type: 'integer', minimum: 0, maximum: 20 },
  logit_bias: { type: 'object' },
  echo: { type: 'boolean' },
  suffix: { type: 'string' },
  best_of: { type: 'integer', minimum: 1 },
  store: { type: 'boolean' },
  metadata: { type: 'object' },
  service_tier: { type: 'string' },
  modalities: { type: 'array', items: { type: 'string' } },
  audio: { type: 'object' },
  prediction: { type: 'object' },
  reasoning_effort: { type: 'string' },
  web_search_options: { type: 'object' },
}

function bodySchema(endpoint: Endpoint): SchemaObject {
  const names = [...parametersOf(endpoint).keys()]
  const properties: Record<string, SchemaObject> = {}
  for (const name of names) {
    const schema = PROPERTIES[name]
    if (schema !== undefined) properties[name] = schema
  }
  return {
    type: 'object',
    required: ['model', endpoint === 'chat' ? 'messages' : 'prompt'],
    additionalProperties: false,
    properties,
  }
}

// union types with per-type keywords (`items` on string-or-array) are deliberate
const ajv = new Ajv({ allowUnionTypes: true, strictTypes: false })

const validators: Record<Endpoint, ValidateFunction> = {
  chat: ajv.compile(bodySchema('chat')),
  completion: ajv.compile(bodySchema('completion')),
}

/** The 400 for the first schema violation of `body`, or `undefined` when it conforms. */
export function schemaViolation(body: unknown, endpoint: Endpoint): OpenAiError | undefined {
  const validate = validators[endpoint]
  if (validate(body)) return undefined
  const error = validate.errors?.[0]
  if (error === undefined) return invalid('the request body does not match the schema', null)
  return fromAjv(error)
}

function fromAjv(error: ErrorObject): OpenAiError {
  const path = paramPath(error.instancePath)
  const params = error.params as Record<string, unknown>
  if (error.keyword === 'additionalProperties') {
    const extra = String(params.additionalProperty)
    const param = path === null ? extra : `${path}.${extra}`
    return openAiError(
      400,
      `Unrecognized request argument supplied: ${param}`,
      'invalid_request_error',
      'unknown_parameter',
      param,
    )
  }
  if (error.keyword === 'required') {
    const missing = String(params.missingProperty)
    const param = path === null ? missing : `${path}.${missing}`
    return invalid(`\`${param}\` is required`, param)
  }
  const allowed = Array.isArray(params.allowedValues) ? `: ${params.allowedValues.join(', ')}` : ''
  const name = path ?? 'the request body'
  return invalid(`\`${name}\` ${error.message ?? 'is invalid'}${allowed}`, path)
}

/** `/messages/0/role` → `messages[0].role`; the root → null. */
function paramPath(instancePath: string): string | null {
  if (instancePath === '') return null
  return instancePath
    .slice(1)
    .split('/')
    .map((segment, i) => (/^\d+$/.test(segment) ? `[${segment}]` : i === 0 ? segment : `.${segment}`))
    .join('')
}

function invalid(message: string, param: string | null): OpenAiError {
  return openAiError(400, message, 'invalid_request_error', 'invalid_value', param)
}
