import type {
  ChatMessage,
  JsonSchema,
  ResponseFormat,
  ToolChoice,
  ToolDefinition,
} from '@cocoon-mesh/gpu-runtime'
import { TrustTier } from '@cocoon-mesh/protocol'
import { type OpenAiError, openAiError } from './errors.js'
import { type Endpoint, firstRefused, parametersOf } from './parameters.js'
import { schemaViolation } from './request-schema.js'
import { deprecatedFunctionTurn, toMessage, toolTurnConflict } from './tool-turns.js'

/** A parsed, validated chat or text completion request: only what the job is given. */
export interface CompletionRequest {
  model: string
  messages?: ChatMessage[]
  prompt?: string
  stream: boolean
  includeUsage: boolean
  maxTokens?: number
  temperature?: number
  seed?: number
  stop?: string[]
  topP?: number
  presencePenalty?: number
  frequencyPenalty?: number
  responseFormat?: ResponseFormat
  tools?: ToolDefinition[]
  toolChoice?: ToolChoice
  /** The caller's end-user id: logged with the request, never sent to a provider. */
  user?: string
  /** Cocoon extension: nanoTON per 1k tokens at most. */
  maxPrice?: bigint
  /** Cocoon extension: the least trust tier a provider must have. */
  minTrustTier?: TrustTier
}

type Body = Record<string, unknown>

const TRUST_TIERS: Record<string, TrustTier> = {
  open: TrustTier.TRUST_TIER_OPEN,
  verified: TrustTier.TRUST_TIER_VERIFIED,
  attested: TrustTier.TRUST_TIER_ATTESTED,
}

const RULES: Record<Endpoint, ReturnType<typeof parametersOf>> = {
  chat: parametersOf('chat'),
  completion: parametersOf('completion'),
}

/**
 * Validates a `/v1/chat/completions` (`chat`) or `/v1/completions` body. Pure.
 * A top-level `null` means absent (as OpenAI treats it). Then, in order: the
 * schema (types, ranges, no unknown field), the refused parameters of the
 * table (`PARAMETERS`), and `stream_options` without `stream`.
 */
export function parseCompletionRequest(body: unknown, endpoint: Endpoint): CompletionRequest | OpenAiError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return bad('the request body must be a JSON object', null)
  }
  const b: Body = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null))
  const deprecated = deprecatedFunctionTurn(b.messages)
  if (deprecated !== undefined) return deprecated
  const violation = schemaViolation(b, endpoint)
  if (violation !== undefined) return violation
  const refused = firstRefused(b, RULES[endpoint])
  if (refused !== undefined) {
    return openAiError(
      400,
      `\`${refused.name}\` is not supported by this gateway: ${refused.reason ?? 'refused'}`,
      'invalid_request_error',
      'unsupported_parameter',
      refused.name,
    )
  }
  if (b.stream_options !== undefined && b.stream !== true) {
    return bad('`stream_options` is only allowed when `stream` is true', 'stream_options')
  }
  const toolsError =
    toolsConflict(b) ?? (endpoint === 'chat' ? toolTurnConflict(b.messages as Body[]) : undefined)
  if (toolsError !== undefined) return toolsError
  return toRequest(b, endpoint)
}

/** `tool_choice` without `tools` or naming a tool not given, and `tools` with a `response_format`. */
function toolsConflict(b: Body): OpenAiError | undefined {
  const tools = b.tools as Array<{ function: { name: string } }> | undefined
  const choice = b.tool_choice as string | { function: { name: string } } | undefined
  if (choice !== undefined && choice !== 'none' && tools === undefined)
    return bad('`tool_choice` is only allowed when `tools` are given', 'tool_choice')
  if (typeof choice === 'object' && !tools?.some((t) => t.function.name === choice.function.name))
    return bad(`\`tool_choice\` names \`${choice.function.name}\`, which is not in \`tools\``, 'tool_choice')
  const format = (b.response_format as { type: string } | undefined)?.type
  if (tools !== undefined && format !== undefined && format !== 'text')
    return bad('`response_format` cannot be combined with `tools`', 'response_format')
  return undefined
}

/** The request of a body that passed the schema and the table. */
function toRequest(b: Body, endpoint: Endpoint): CompletionRequest {
  const out: CompletionRequest = {
    model: b.model as string,
    stream: b.stream === true,
    includeUsage: (b.stream_options as Body | undefined)?.include_usage === true,
  }
  if (endpoint === 'chat') {
    out.messages = (b.messages as Body[]).map(toMessage)
  } else {
    out.prompt = Array.isArray(b.prompt) ? (b.prompt[0] as string) : (b.prompt as string)
  }
  const maxTokens = b.max_completion_tokens ?? b.max_tokens
  if (maxTokens !== undefined) out.maxTokens = maxTokens as number
  if (b.temperature !== undefined) out.temperature = b.temperature as number
  if (b.seed !== undefined) out.seed = b.seed as number
  if (b.user !== undefined) out.user = b.user as string
  Object.assign(out, constraints(b))
  if (b.max_price !== undefined) out.maxPrice = BigInt(b.max_price as number | string)
  if (b.min_trust_tier !== undefined) out.minTrustTier = TRUST_TIERS[b.min_trust_tier as string]
  return out
}

/** Stop strings, sampling, response format and tools, in the job's terms. */
function constraints(b: Body): Partial<CompletionRequest> {
  const out: Partial<CompletionRequest> = {}
  if (b.stop !== undefined) out.stop = typeof b.stop === 'string' ? [b.stop] : (b.stop as string[])
  if (b.top_p !== undefined) out.topP = b.top_p as number
  if (b.presence_penalty !== undefined) out.presencePenalty = b.presence_penalty as number
  if (b.frequency_penalty !== undefined) out.frequencyPenalty = b.frequency_penalty as number
  const format = b.response_format as { type: string; json_schema?: { schema?: JsonSchema } } | undefined
  if (format?.type === 'json_object') out.responseFormat = { type: 'json_object' }
  if (format?.type === 'json_schema') {
    out.responseFormat = { type: 'json_schema', schema: format.json_schema?.schema ?? { type: 'object' } }
  }
  const tools = b.tools as
    | Array<{ function: { name: string; description?: string; parameters?: JsonSchema } }>
    | undefined
  if (tools !== undefined) {
    out.tools = tools.map(({ function: f }) => ({
      name: f.name,
      ...(f.description !== undefined ? { description: f.description } : {}),
      ...(f.parameters !== undefined ? { parameters: f.parameters } : {}),
    }))
  }
  const choice = b.tool_choice as 'none' | 'auto' | 'required' | { function: { name: string } } | undefined
  if (choice !== undefined)
    out.toolChoice = typeof choice === 'string' ? choice : { name: choice.function.name }
  return out
}

function bad(message: string, param: string | null): OpenAiError {
  return openAiError(400, message, 'invalid_request_error', 'invalid_value', param)
}
