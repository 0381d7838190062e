/** The client-side shapes of a job: parameters, the token stream and the final usage with who served what. */
import type {
  ChatTurn,
  Offer,
  Prices,
  RejectReason,
  ResponseFormat,
  Tensor,
  Timers,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  TrustTier,
} from '@cocoon-mesh/protocol'
import type { ClientPayments } from '@cocoon-mesh/settlement'
import type { ComponentLogger, Stream } from '@libp2p/interface'
import type { ComputedTier, OfferTrust, TrustLookup } from '../market/offer-trust.js'
import type { ProviderLoads } from '../matching/load.js'
import type { ProviderRecords } from '../matching/records.js'
import type { MaxPrice } from '../matching/types.js'
import type { StallLimits } from './limits.js'

/** Which provider served which part of a job, at what price and trust tier. */
export interface ServedPart {
  providerId: string
  /** The tier this part was served at: the client's verdict on the provider's evidence, never its claim. */
  tier: ComputedTier
  /** The whole verdict (why not attested, the TEE, whether the GPU is attested); see `trustLabel`. */
  trust: OfferTrust
  price: Prices
  promptTokens: number
  completionTokens: number
  gflop: number
  /** nanoTON for this part (billed by the provider, or computed from delivered tokens when it died). */
  cost: bigint
  startedAt: number
  /** When the first token of this part arrived (LLM jobs). */
  firstTokenAt?: number
  endedAt: number
  /** The remote address of the connection the part ran on (`/p2p-circuit` in it: through a relay). */
  via?: string
  /**
   * `cheated`: the provider sent or billed more than the client counted (see `UsageMismatchError`);
   * `refused`: its tier was below the job's minimum when the client was about to send, so nothing was sent.
   */
  outcome: 'completed' | 'failed' | 'rejected' | 'cheated' | 'refused'
  error?: string
}

export interface JobUsage {
  promptTokens: number
  cachedTokens: number
  completionTokens: number
  reasoningTokens: number
  gflop: number
  cost: bigint
  /** `stop`, `length`, `tool_calls` (see `toolCalls`), as the last provider reported it. */
  finishReason: string
  backend: string
  /** The function calls the model made (finish reason `tool_calls`); empty otherwise. */
  toolCalls: ToolCall[]
  /** Every provider tried, in order: the failover history of the job. */
  parts: ServedPart[]
}

export interface JobContext {
  /** Live offers (e.g. from the order book); `signal` is the job's, ending a wait for offers. */
  offers: (model: string, signal?: AbortSignal) => readonly Offer[] | Promise<readonly Offer[]>
  /**
   * The client's verdict on each offer's evidence (the order book's
   * `trustOf`). Without it every provider is open tier: a job whose
   * `minTrustTier` is above open finds no provider.
   */
  trust?: TrustLookup
  /** Opens a `/cocoon/job/1.0.0` stream to a provider. */
  dial: (providerId: string, offer: Offer, signal?: AbortSignal) => Promise<Stream>
  /** The remote address of the connection a dialled stream runs on (the parts' `via`). */
  viaOf?: (providerId: string, stream: Stream) => string | undefined
  /**
   * Opens (or reuses) a connection to a provider without a stream. The
   * failover warms the runners-up of each pick with it in parallel, so dead
   * offers among them fail (and are recorded unreachable) while the best is
   * tried, not one after the other.
   */
  connect?: (providerId: string, offer: Offer, signal?: AbortSignal) => Promise<void>
  records?: ProviderRecords
  /** What the client knows of each provider's load; the failover keeps it and ranks by it. */
  loads?: ProviderLoads
  latencies?: ReadonlyMap<string, number>
  /** Providers with evidence they answer (a live connection); see `MatchRequest.reachable`. */
  reachable?: () => ReadonlySet<string>
  /** Seeded random source for ranking's bounded exploration; none means no exploration. */
  random?: () => number
  payments?: ClientPayments
  /** The clock deadlines, offer expiry and the parts' timestamps are measured against. Default `Date.now`. */
  now?: () => number
  /**
   * Where idle and deadline timeouts are scheduled. Default the process's
   * timers; pass fake ones with a fake `now` to run failover in simulated time.
   */
  timers?: Timers
  /** Providers tried per job at most. Default 6. */
  maxAttempts?: number
  /**
   * Overrides of the limits an attempt runs under. By default they follow
   * the offer's promised rate (`llmStallLimits`); a tensor job only has
   * `idleMs`, default 30 000.
   */
  stallLimits?: Partial<StallLimits>
  maxTensorBytes?: number
  onEvent?: (event: JobEvent) => void
  /** Where the job path logs what it does not throw (a voucher it could not send). Default `defaultLogger()`. */
  logger?: ComponentLogger
}

export type JobEvent =
  | { type: 'attempt'; jobId: string; providerId: string; cost: bigint }
  | { type: 'accepted'; jobId: string; providerId: string; price: Prices }
  | { type: 'failover'; jobId: string; providerId: string; error: string; receivedTokens: number }
  | { type: 'rejected'; jobId: string; providerId: string; reason: RejectReason }

export interface CommonJobParams {
  model: string
  maxPrice?: MaxPrice
  /** nanoTON the whole job may cost. */
  budget?: bigint
  /**
   * The least tier a provider must have, checked against the client's own
   * verdict before anything is sent (matching skips those below, and the
   * attempt refuses one whose verdict dropped since).
   */
  minTrustTier?: TrustTier
  /**
   * Unix ms. Default for an LLM job: set when the first provider is picked,
   * from `maxTokens` and the offer's promised rate with headroom (`defaultLlmDeadline`).
   */
  deadline?: number
  signal?: AbortSignal
  jobId?: string
}

export interface LlmJobParams extends CommonJobParams {
  prompt?: string
  messages?: ChatTurn[]
  maxTokens?: number
  temperature?: number
  seed?: number
  /**
   * Generation ends before the first of these (at most 4, each 1-128
   * characters); the stop string is never streamed; finish reason `stop`.
   */
  stop?: string[]
  /** Nucleus sampling in (0, 1]; default 1 (off). */
  topP?: number
  /** [-2, 2], default 0. */
  presencePenalty?: number
  /** [-2, 2], default 0. */
  frequencyPenalty?: number
  /**
   * `json_object`, `json_schema` (with `schema`) or `grammar` (GBNF): the
   * provider constrains decoding so the completion has that shape. Not with `tools`.
   */
  responseFormat?: ResponseFormat
  /** Functions the model may call (at most 32); the calls come back in `JobUsage.toolCalls`. */
  tools?: ToolDefinition[]
  /** Default `auto` when `tools` are given. */
  toolChoice?: ToolChoice
}

/** Texts to embed with `model` (1-256 non-empty strings); billed per prompt token. */
export interface EmbedJobParams extends CommonJobParams {
  inputs: string[]
}

/** What an embedding job returns: one vector per input, in order. */
export interface EmbedJobResult {
  embeddings: Float32Array[]
  /** `promptTokens` is what was billed; completion tokens are 0. */
  usage: JobUsage
}

export interface TensorJobParams extends CommonJobParams {
  op: 'matmul' | 'onnx'
  /** For `onnx`, the serialized graph. */
  graph?: Uint8Array
  inputs: Tensor[]
  outputNames?: string[]
  /** Number of output tensors expected (default 1, or `outputNames.length`). */
  outputCount?: number
  /** Expected work, for ranking offers by price. Default 1. */
  gflop?: number
}

export interface TokenOutput {
  text: string
  tokens: number
  providerId: string
  /** The tier of the provider that sent these tokens (the client's verdict). */
  tier: ComputedTier
}

/** A streamed LLM job: iterate for the tokens, then await `usage`. */
export interface LlmJob extends AsyncIterable<TokenOutput> {
  readonly jobId: string
  readonly usage: Promise<JobUsage>
}
