/**
 * Generation features an offer says its backend honours (`Offer.features`),
 * and which of them a job needs. A provider refuses a job that needs a
 * feature it lacks; a client skips offers that lack one.
 */
import { JobKind, type JobRequest, type LlmParams, OutputConstraintKind } from './generated/cocoon.js'

/**
 * `stop`: stop sequences; `top_p`: nucleus sampling; `penalties`: presence and
 * frequency penalties; `json_object` / `json_schema` / `grammar`: output
 * constrained while decoding; `tools`: function calls whose arguments match
 * the function's parameters. Embedding is a job kind (`embedding` in
 * `Offer.job_kinds`), not a feature.
 */
export type FeatureName = 'stop' | 'top_p' | 'penalties' | 'json_object' | 'json_schema' | 'grammar' | 'tools'

export const FEATURE_NAMES: readonly FeatureName[] = [
  'stop',
  'top_p',
  'penalties',
  'json_object',
  'json_schema',
  'grammar',
  'tools',
]

export function isFeatureName(value: string): value is FeatureName {
  return (FEATURE_NAMES as readonly string[]).includes(value)
}

const CONSTRAINT_FEATURE: Record<OutputConstraintKind, FeatureName | undefined> = {
  [OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_UNSPECIFIED]: undefined,
  [OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_OBJECT]: 'json_object',
  [OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_JSON_SCHEMA]: 'json_schema',
  [OutputConstraintKind.OUTPUT_CONSTRAINT_KIND_GRAMMAR]: 'grammar',
}

/** The features a job request needs from its provider (none for tensor and embedding jobs). */
export function requiredFeatures(request: Pick<JobRequest, 'kind' | 'llm'>): FeatureName[] {
  const llm = request.llm
  if (request.kind !== JobKind.JOB_KIND_LLM || llm === undefined) return []
  const needed: FeatureName[] = []
  if (llm.stop.length > 0) needed.push('stop')
  if (llm.topP !== 0 && llm.topP !== 1) needed.push('top_p')
  if (llm.presencePenalty !== 0 || llm.frequencyPenalty !== 0) needed.push('penalties')
  const constraint = llm.constraint === undefined ? undefined : CONSTRAINT_FEATURE[llm.constraint.kind]
  if (constraint !== undefined) needed.push(constraint)
  // an earlier call or result in the conversation is rendered only by a backend with tools
  const toolTurns = llm.messages.some((m) => m.role === 'tool' || m.toolCalls.length > 0)
  if ((llm.tools.length > 0 && llm.toolChoice !== 'none') || toolTurns) needed.push('tools')
  return needed
}

/** The features of `required` that `offered` lacks (empty when the offer can serve them all). */
export function missingFeatures(offered: readonly string[], required: readonly FeatureName[]): FeatureName[] {
  return required.filter((feature) => !offered.includes(feature))
}

/** The LlmParams fields beyond prompt, messages and sampling basics, all unset: spread it into a plain request. */
export function noLlmConstraints(): Pick<
  LlmParams,
  | 'stop'
  | 'topP'
  | 'presencePenalty'
  | 'frequencyPenalty'
  | 'constraint'
  | 'tools'
  | 'toolChoice'
  | 'toolChoiceName'
> {
  return {
    stop: [],
    topP: 0,
    presencePenalty: 0,
    frequencyPenalty: 0,
    constraint: undefined,
    tools: [],
    toolChoice: '',
    toolChoiceName: '',
  }
}
