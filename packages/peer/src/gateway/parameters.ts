/**
 * Every OpenAI request parameter the gateway knows, and what it does with
 * each: `honoured` (mapped onto the job, or answered by the gateway itself)
 * or `refused` (a 400 naming it). A refused parameter given at its neutral
 * value (`n: 1`, `logprobs: false`, `top_p: 1`, …) changes nothing, so it
 * is accepted. A field that is not in this table is refused as unrecognised
 * by the request schema. The README's parameter table lists the same rows.
 */

/** Which endpoint a parameter belongs to. */
export type Endpoint = 'chat' | 'completion'

export interface ParameterRule {
  readonly name: string
  readonly endpoints: readonly Endpoint[]
  /** `honoured`: mapped or answered; `refused`: a non-neutral value gets a 400. */
  readonly status: 'honoured' | 'refused'
  /** For a refused parameter: why, in the 400's message. */
  readonly reason?: string
  /** Values that leave the output unchanged, accepted even when the parameter is refused. */
  readonly neutral?: (value: unknown) => boolean
}

const BOTH: readonly Endpoint[] = ['chat', 'completion']
const CHAT: readonly Endpoint[] = ['chat']
const COMPLETION: readonly Endpoint[] = ['completion']

const is =
  (...values: unknown[]) =>
  (value: unknown): boolean =>
    values.includes(value)

const NO_RUNTIME = 'the mesh runtimes do not implement it'

/** The table: one row per parameter, in the README's order. */
export const PARAMETERS: readonly ParameterRule[] = [
  { name: 'model', endpoints: BOTH, status: 'honoured' },
  { name: 'messages', endpoints: CHAT, status: 'honoured' },
  { name: 'prompt', endpoints: COMPLETION, status: 'honoured' },
  { name: 'stream', endpoints: BOTH, status: 'honoured' },
  { name: 'stream_options', endpoints: BOTH, status: 'honoured' },
  { name: 'max_tokens', endpoints: BOTH, status: 'honoured' },
  { name: 'max_completion_tokens', endpoints: CHAT, status: 'honoured' },
  { name: 'temperature', endpoints: BOTH, status: 'honoured' },
  { name: 'seed', endpoints: BOTH, status: 'honoured' },
  { name: 'user', endpoints: BOTH, status: 'honoured' },
  { name: 'max_price', endpoints: BOTH, status: 'honoured' },
  { name: 'min_trust_tier', endpoints: BOTH, status: 'honoured' },
  { name: 'stop', endpoints: BOTH, status: 'honoured' },
  { name: 'top_p', endpoints: BOTH, status: 'honoured' },
  { name: 'presence_penalty', endpoints: BOTH, status: 'honoured' },
  { name: 'frequency_penalty', endpoints: BOTH, status: 'honoured' },
  { name: 'response_format', endpoints: CHAT, status: 'honoured' },
  { name: 'tools', endpoints: CHAT, status: 'honoured' },
  { name: 'tool_choice', endpoints: CHAT, status: 'honoured' },
  {
    name: 'parallel_tool_calls',
    endpoints: CHAT,
    status: 'refused',
    reason: 'the model may always make several calls; only `true` is accepted',
    neutral: is(true),
  },
  { name: 'n', endpoints: BOTH, status: 'refused', reason: 'one choice per request', neutral: is(1) },
  {
    name: 'functions',
    endpoints: CHAT,
    status: 'refused',
    reason: 'deprecated by OpenAI; send `tools` instead',
  },
  {
    name: 'function_call',
    endpoints: CHAT,
    status: 'refused',
    reason: 'deprecated by OpenAI; send `tool_choice` instead',
    neutral: is('none'),
  },
  { name: 'logprobs', endpoints: BOTH, status: 'refused', reason: NO_RUNTIME, neutral: is(false, 0) },
  { name: 'top_logprobs', endpoints: CHAT, status: 'refused', reason: NO_RUNTIME, neutral: is(0) },
  { name: 'logit_bias', endpoints: BOTH, status: 'refused', reason: NO_RUNTIME, neutral: isEmptyObject },
  { name: 'echo', endpoints: COMPLETION, status: 'refused', reason: NO_RUNTIME, neutral: is(false) },
  { name: 'suffix', endpoints: COMPLETION, status: 'refused', reason: NO_RUNTIME, neutral: is('') },
  {
    name: 'best_of',
    endpoints: COMPLETION,
    status: 'refused',
    reason: 'one choice per request',
    neutral: is(1),
  },
  {
    name: 'store',
    endpoints: CHAT,
    status: 'refused',
    reason: 'the gateway stores nothing',
    neutral: is(false),
  },
  { name: 'metadata', endpoints: CHAT, status: 'refused', reason: 'the gateway stores nothing' },
  { name: 'service_tier', endpoints: CHAT, status: 'refused', reason: 'use max_price and min_trust_tier' },
  { name: 'modalities', endpoints: CHAT, status: 'refused', reason: 'text only', neutral: isTextOnly },
  { name: 'audio', endpoints: CHAT, status: 'refused', reason: 'text only' },
  { name: 'prediction', endpoints: CHAT, status: 'refused', reason: NO_RUNTIME },
  { name: 'reasoning_effort', endpoints: CHAT, status: 'refused', reason: NO_RUNTIME },
  { name: 'web_search_options', endpoints: CHAT, status: 'refused', reason: 'no web search in the mesh' },
]

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0
}

function isTextOnly(value: unknown): boolean {
  return Array.isArray(value) && value.length === 1 && value[0] === 'text'
}

/** The rows of one endpoint, by name. */
export function parametersOf(endpoint: Endpoint): ReadonlyMap<string, ParameterRule> {
  return new Map(PARAMETERS.filter((p) => p.endpoints.includes(endpoint)).map((p) => [p.name, p]))
}

/** The first refused parameter `body` sets to a value that is not neutral, with its rule. */
export function firstRefused(
  body: Readonly<Record<string, unknown>>,
  rules: ReadonlyMap<string, ParameterRule>,
): ParameterRule | undefined {
  for (const [name, value] of Object.entries(body)) {
    const rule = rules.get(name)
    if (rule?.status !== 'refused') continue
    if (rule.neutral?.(value) === true) continue
    return rule
  }
  return undefined
}
