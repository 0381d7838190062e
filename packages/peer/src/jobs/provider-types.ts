/** The job service's configuration, events and the inbound job it serves. */

import type { FrameWriter } from '@cocoon-mesh/client/internal'
import type { Runtime } from '@cocoon-mesh/gpu-runtime'
import type { JobErrorCode, JobFrame, JobRequest, Prices, RejectReason, Timers } from '@cocoon-mesh/protocol'
import type { ProviderPayments } from '@cocoon-mesh/settlement'
import type { ComponentLogger, Metrics, PeerId, Startable, Stream } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'
import type { RelayedJobsPolicy, RelayedJobVerdict } from './relayed.js'
import type { AcceptedJob } from './serve-work.js'

/** Jobs a service serves at once unless `JobServiceInit.maxConcurrentJobs` says otherwise. */
export const DEFAULT_MAX_CONCURRENT_JOBS = 64

/**
 * The part of a gpu-runtime `Runtime` the job service uses. Without
 * `features` a runtime honours no generation feature; without `embed` and
 * `embeddingModels` it runs no embedding jobs.
 */
export type JobRuntime = Pick<Runtime, 'models' | 'generate' | 'runTensor' | 'stats' | 'reserve'> &
  Partial<Pick<Runtime, 'features' | 'contextSize' | 'embed' | 'embeddingModels'>>

/** What a job's price depends on: its model and the least trust tier it requires. */
export type JobPriceQuery = Pick<JobRequest, 'model' | 'minTrustTier'>

export interface JobServiceInit {
  runtime: JobRuntime
  /**
   * The prices of a job for its model and least trust tier (see protocol's
   * `tierPrices`; per model at most the offer's): the service never accepts a
   * job below them, and quotes them in its JobAccept.
   */
  prices: (job: JobPriceQuery) => Prices
  payments?: ProviderPayments
  /** Largest input tensor accepted, bytes. Default 64 MiB. */
  maxTensorBytes?: number
  /** Jobs served at once across all models, on top of the runtime's own admission. Default 64. */
  maxConcurrentJobs?: number
  /** How long to wait for the JobRequest and for each input frame, ms. Default 10 000. */
  readTimeoutMs?: number
  /** Output tensor chunk size, bytes. */
  chunkSize?: number
  /**
   * Tokens produced within this many ms of the last TokenChunk frame are sent
   * together in the next one (the first token always goes out at once).
   * Default 4; 0 sends one frame per produced chunk when the stream keeps up.
   */
  tokenFlushMs?: number
  /** The clock request deadlines are measured against. Default `Date.now`. */
  now?: () => number
  /**
   * Where the read timeout and the deadline are scheduled. Default the
   * process's timers; pass fake ones with a fake `now` for simulated time.
   */
  timers?: Timers
  /** Called on every job lifecycle event (for logs, metrics, the demo and tests). */
  onEvent?: (event: JobServiceEvent) => void
  /**
   * Jobs over relayed (limited) connections. Off when absent: such a job is
   * rejected with `RELAYED`.
   */
  relayedJobs?: RelayedJobsPolicy
}

export type JobServiceEvent =
  | {
      type: 'accepted'
      jobId: string
      client: string
      model: string
      kind: 'llm' | 'tensor' | 'embedding'
      /** The remote address of the connection the job came over (`/p2p-circuit` in it: relayed). */
      via: string
    }
  | { type: 'rejected'; jobId: string; client: string; reason: RejectReason; message: string }
  | { type: 'progress'; jobId: string; completionTokens: number }
  | { type: 'finished'; jobId: string; cost: bigint; completionTokens: number; gflop: number; via: string }
  | {
      type: 'failed'
      /** `''` when the stream failed before its JobRequest arrived (`client` then says whose it was). */
      jobId: string
      client: string
      code: JobErrorCode | 'aborted'
      message: string
    }

export interface JobServiceComponents {
  registrar: Registrar
  /** This node's id: a paid JobRequest must be made out to it. */
  peerId: PeerId
  logger: ComponentLogger
  /** The job metrics (`cocoon_jobs_total`, ...) are registered here when present. */
  metrics?: Metrics
}

export interface JobService extends Startable {
  /** Jobs currently running. */
  readonly active: number
}

/** One inbound job stream: its frames both ways, who sent it, and the controller that stops the job. */
export interface InboundStream {
  stream: Stream
  writer: FrameWriter
  frames: AsyncIterator<JobFrame>
  controller: AbortController
  /** The client's peer id, as a string (for events) and as multihash bytes (for the payment session). */
  client: string
  clientKey: Uint8Array
  /** The remote address of the connection the stream came over. */
  via: string
  /** Whether that connection is relayed, and what a job may use of it. */
  relay: RelayedJobVerdict
  /** The JobRequest's job id once it arrived, `''` before. */
  jobId: string
}

/** A job the service accepted, with the stream it is served on. */
export interface ServedJob extends AcceptedJob {
  inbound: InboundStream
  /** Jobs the runtime's lane holds with this one: sent in the JobAccept. */
  queueDepth: number
}

/**
 * Errors of the job service: only `start()` throws, when the registrar
 * refuses the protocol handler (libp2p's errors). A job's own failures never
 * surface here: the client is answered on the stream (JobReject, JobError)
 * and `onEvent` reports them.
 */
export type JobServiceErrorType = Error
