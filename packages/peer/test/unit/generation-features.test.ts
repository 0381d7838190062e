import { embeddingTokenBound, providerIdOf, rankOffers, servesFeatures } from '@cocoon-mesh/client/internal'
import {
  constraintsToWire,
  JobKind,
  type JobRequest,
  noLlmConstraints,
  PROTOCOL_VERSION,
  RejectReason,
  TrustTier,
  UNSIGNED_JOB_REQUEST,
} from '@cocoon-mesh/protocol'
import { describe, expect, it } from 'vitest'
import { testOffer } from '../../../../test-support/offers.js'
import { offerCapabilities } from '../../src/jobs/serve.js'
import { validateRequest } from '../../src/jobs/validate.js'

const NOW = 1_700_000_000_000
const price = { perKPromptTokens: 10n, perKCompletionTokens: 10n, perTensorGflop: 0n }

function request(extra: Partial<JobRequest>): JobRequest {
  return {
    version: PROTOCOL_VERSION,
    jobId: 'j1',
    kind: JobKind.JOB_KIND_LLM,
    model: 'tiny',
    maxPrice: price,
    budget: 0n,
    channel: '',
    deadline: 0n,
    minTrustTier: TrustTier.TRUST_TIER_UNSPECIFIED,
    ...UNSIGNED_JOB_REQUEST,
    llm: {
      prompt: 'hi',
      messages: [],
      maxTokens: 4,
      temperature: 0,
      seed: 0,
      continuation: '',
      ...noLlmConstraints(),
    },
    ...extra,
  }
}

describe('matching by features', () => {
  it('skips offers that lack a feature the job needs, and ranks the rest', () => {
    const plain = testOffer(1, 1n)
    const full = testOffer(2, 5n, { features: ['stop', 'json_schema', 'tools'] })
    const offers = [plain, full]
    const base = { model: 'tiny', job: { kind: 'llm' as const }, offers, now: NOW + 1 }
    expect(rankOffers(base).ranked.map((r) => r.providerId)).toEqual([
      providerIdOf(plain),
      providerIdOf(full),
    ])
    const needs = rankOffers({ ...base, features: ['json_schema', 'stop'] })
    expect(needs.ranked.map((r) => r.providerId)).toEqual([providerIdOf(full)])
    expect(needs.excluded).toEqual([{ providerId: providerIdOf(plain), reason: 'missing-feature' }])
    expect(rankOffers({ ...base, features: ['grammar'] }).ranked).toEqual([])
    expect(servesFeatures(full, [])).toBe(true)
    expect(servesFeatures({ features: ['stop', 'future-feature'] }, ['stop'])).toBe(true)
  })

  it('finds embedding offers by job kind, priced per prompt token', () => {
    const llmOnly = testOffer(1, 1n)
    const embeds = testOffer(2, 3n, { jobKinds: ['llm', 'embedding'] })
    const result = rankOffers({
      model: 'tiny',
      job: { kind: 'embedding', promptTokens: 1000, completionTokens: 0 },
      offers: [llmOnly, embeds],
      now: NOW + 1,
      maxPrice: { perKPromptTokens: 3n, perTensorGflop: 0n },
    })
    expect(result.ranked.map((r) => r.providerId)).toEqual([providerIdOf(embeds)])
    expect(result.ranked[0]?.cost).toBe(3n)
  })
})

describe('what a provider offers and accepts', () => {
  it('offers the features all its models share, embedding only when every model embeds, and their smallest context', () => {
    const runtime = {
      features: (m: string) => (m === 'a' ? ['stop' as const, 'tools' as const] : ['stop' as const]),
      embeddingModels: () => ['a'],
      contextSize: (m: string) => ({ a: 4096, b: 2048 })[m],
    }
    expect(offerCapabilities(runtime, ['a', 'b'])).toEqual({
      features: ['stop'],
      embeds: false,
      contextSize: 2048,
    })
    expect(offerCapabilities(runtime, ['a'])).toEqual({
      features: ['stop', 'tools'],
      embeds: true,
      contextSize: 4096,
    })
    // one model that does not know its context leaves the offer's unstated
    expect(offerCapabilities(runtime, ['a', 'c']).contextSize).toBe(0)
    expect(offerCapabilities({}, ['a'])).toEqual({ features: [], embeds: false, contextSize: 0 })
  })

  it('refuses constraints beyond the protocol bounds and embedding jobs for models that do not embed', () => {
    const ctx = { price, now: NOW, models: ['tiny'], embeddingModels: ['tiny'] }
    const llm = (c: Parameters<typeof constraintsToWire>[0]): JobRequest =>
      request({
        llm: {
          prompt: 'hi',
          messages: [],
          maxTokens: 4,
          temperature: 0,
          seed: 0,
          continuation: '',
          ...constraintsToWire(c),
        },
      })
    expect(validateRequest(llm({ stop: ['x'], tools: [{ name: 'f' }] }), ctx)).toBeUndefined()
    const tooMany = validateRequest(llm({ stop: ['a', 'b', 'c', 'd', 'e'] }), ctx)
    expect(tooMany?.reason).toBe(RejectReason.REJECT_REASON_BAD_REQUEST)
    expect(tooMany?.message).toContain('llm.stop')
    const embedding = request({
      kind: JobKind.JOB_KIND_EMBEDDING,
      llm: undefined,
      embedding: { inputs: ['a', 'b'] },
    })
    expect(validateRequest(embedding, ctx)).toBeUndefined()
    expect(validateRequest(embedding, { ...ctx, embeddingModels: [] })?.reason).toBe(
      RejectReason.REJECT_REASON_UNKNOWN_MODEL,
    )
    expect(
      validateRequest(
        request({ kind: JobKind.JOB_KIND_EMBEDDING, llm: undefined, embedding: { inputs: [] } }),
        ctx,
      )?.reason,
    ).toBe(RejectReason.REJECT_REASON_BAD_REQUEST)
    // a per-token price cap below the provider's refuses an embedding job
    const cheap = request({ ...embedding, maxPrice: { ...price, perKPromptTokens: 1n } })
    expect(validateRequest(cheap, ctx)?.reason).toBe(RejectReason.REJECT_REASON_PRICE_TOO_LOW)
  })

  it('bounds the prompt tokens an embedding job may bill by the bytes sent', () => {
    expect(embeddingTokenBound({ inputs: ['ab', 'é'] })).toBe(2 + 2 + 2 + 2)
  })
})
