/**
 * What the dashboard remembers of the node's events: jobs, claim passes,
 * measured speeds, attestation status. Every list is capped and every string
 * from a stranger (peer ids, models, error causes) is cut to a bounded length,
 * so a flood of jobs or a huge error message cannot grow the node's memory or
 * the pages' payloads.
 */
import type { NodeEvent } from '../cli/node-log.js'
import type { ClaimPass } from '../cli/provider-settlement.js'

/** Most jobs kept (oldest finished ones are dropped first). */
export const MAX_JOBS = 500
/** Most claims and failed claim passes kept. */
export const MAX_CLAIMS = 200
/** Longest string kept from an event. */
export const MAX_TEXT = 300

export type JobStatus = 'running' | 'finished' | 'failed' | 'rejected'

export interface JobRow {
  jobId: string
  client: string
  model: string
  status: JobStatus
  acceptedAt: number
  endedAt?: number
  /** nanoTON, decimal. */
  cost?: string
  tokens?: number
  /** Completion tokens per second of wall time between accepted and finished. */
  tokensPerSecond?: number
  /** Why it failed or was refused: its code or reason and message. */
  cause?: string
}

export interface ClaimRow {
  at: number
  channel: string
  ok: boolean
  /** nanoTON, decimal: claimed by this claim. */
  paid?: string
  /** nanoTON, decimal: the claim fee estimated for the pass. */
  fee?: string
  reason?: string
  error?: string
}

export interface Attestation {
  on: boolean
  /** The TEE and evidence size, or why attestation is off. */
  detail: string
  selfCheck?: string
}

/** The part of the dashboard's state that comes from events, JSON-friendly. */
export interface FeedState {
  jobs: JobRow[]
  claims: ClaimRow[]
  /** Tokens per second each model measured at start. */
  benchmarks: Record<string, number>
  attestation?: Attestation
  payments?: string
}

/** Cuts a stranger's string to {@link MAX_TEXT} characters. */
export function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}…`
}

/** A claim pass as the feed announces it: counts, and the cause of a pass that failed as a whole. */
export interface ClaimPassSummary {
  at: number
  claimed: number
  failed: number
  error?: string
}

/** What the feed announces: each node event, and each claim pass. */
export type FeedEvent = NodeEvent | { event: 'claim-pass'; fields: ClaimPassSummary }

export class DashboardFeed {
  readonly #jobs = new Map<string, JobRow>()
  readonly #claims: ClaimRow[] = []
  readonly #benchmarks: Record<string, number> = {}
  #attestation: Attestation | undefined
  #payments: string | undefined
  readonly #listeners = new Set<(e: FeedEvent) => void>()
  readonly #now: () => number

  constructor(now: () => number = Date.now) {
    this.#now = now
  }

  /** Runs `listener` after each event the feed took in. */
  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Takes in one node event (the node log's observer). */
  readonly nodeEvent = (e: NodeEvent): void => {
    this.#apply(e)
    for (const l of this.#listeners) l(e)
  }

  /** Takes in one claim pass (the provider settlement's observer). */
  readonly claimPass = (pass: ClaimPass): void => {
    if ('error' in pass) this.#addClaim({ at: pass.at, channel: '', ok: false, error: clip(pass.error) })
    for (const o of 'outcomes' in pass ? pass.outcomes : []) {
      this.#addClaim({
        at: pass.at,
        channel: o.channel,
        ok: o.error === undefined,
        ...(o.paid === undefined ? {} : { paid: o.paid.toString() }),
        ...(o.fee === undefined ? {} : { fee: o.fee.toString() }),
        ...(o.reason === undefined ? {} : { reason: o.reason }),
        ...(o.error === undefined ? {} : { error: clip(o.error.message) }),
      })
    }
    const outcomes = 'outcomes' in pass ? pass.outcomes : []
    // a pass that had nothing to claim changes nothing on the page (and runs every few seconds)
    if (outcomes.length === 0 && !('error' in pass)) return
    const failed = outcomes.filter((o) => o.error !== undefined).length
    const fields: ClaimPassSummary = {
      at: pass.at,
      claimed: outcomes.length - failed,
      failed,
      ...('error' in pass ? { error: clip(pass.error) } : {}),
    }
    for (const l of this.#listeners) l({ event: 'claim-pass', fields })
  }

  state(): FeedState {
    return {
      jobs: [...this.#jobs.values()],
      claims: [...this.#claims],
      benchmarks: { ...this.#benchmarks },
      ...(this.#attestation === undefined ? {} : { attestation: { ...this.#attestation } }),
      ...(this.#payments === undefined ? {} : { payments: this.#payments }),
    }
  }

  #apply(e: NodeEvent): void {
    switch (e.event) {
      case 'job-accepted':
        this.#putJob({
          jobId: clip(e.fields.jobId),
          client: clip(e.fields.client),
          model: clip(e.fields.model),
          status: 'running',
          acceptedAt: this.#now(),
        })
        break
      case 'job-finished':
        this.#finish(e.fields)
        break
      case 'job-failed':
        this.#end(e.fields.jobId, e.fields.client, 'failed', `${e.fields.code}: ${e.fields.message}`)
        break
      case 'job-rejected':
        this.#end(e.fields.jobId, e.fields.client, 'rejected', `${e.fields.reason}: ${e.fields.message}`)
        break
      case 'benchmark':
        this.#benchmarks[clip(e.fields.model)] = e.fields.tokensPerSecond
        break
      case 'attestation-on':
        this.#attestation = {
          on: true,
          detail: `${e.fields.tee}, ${e.fields.evidenceBytes} bytes of evidence`,
        }
        break
      case 'attestation-off':
        this.#attestation = { on: false, detail: clip(e.fields.reason) }
        break
      case 'attestation-self-check':
        this.#attestation = { on: false, detail: '', ...this.#attestation, selfCheck: clip(e.fields.verdict) }
        break
      case 'payments-on':
        this.#payments = `on via ${e.fields.endpoint}; payout ${e.fields.payout}`
        break
      case 'payments-off':
        this.#payments = `off (free jobs); payout ${e.fields.payout}`
        break
      default:
        break
    }
  }

  #finish(f: { jobId: string; cost: string; tokens: number }): void {
    const row = this.#jobs.get(clip(f.jobId))
    const endedAt = this.#now()
    const seconds = row === undefined ? 0 : (endedAt - row.acceptedAt) / 1000
    this.#putJob({
      ...(row ?? { jobId: clip(f.jobId), client: '', model: '', acceptedAt: endedAt }),
      status: 'finished',
      endedAt,
      cost: f.cost,
      tokens: f.tokens,
      ...(seconds > 0 ? { tokensPerSecond: f.tokens / seconds } : {}),
    })
  }

  #end(jobId: string, client: string, status: 'failed' | 'rejected', cause: string): void {
    const now = this.#now()
    const row = this.#jobs.get(clip(jobId))
    this.#putJob({
      ...(row ?? {
        jobId: clip(jobId === '' ? 'before-request' : jobId),
        client: clip(client),
        model: '',
        acceptedAt: now,
      }),
      status,
      endedAt: now,
      cause: clip(cause),
    })
  }

  #putJob(row: JobRow): void {
    this.#jobs.delete(row.jobId) // re-inserted last: the map stays in order of the latest change
    this.#jobs.set(row.jobId, row)
    if (this.#jobs.size <= MAX_JOBS) return
    // drop the oldest ended job; running jobs stay while the node runs them
    for (const [id, job] of this.#jobs) {
      if (job.status !== 'running') {
        this.#jobs.delete(id)
        return
      }
    }
  }

  #addClaim(row: ClaimRow): void {
    this.#claims.push(row)
    if (this.#claims.length > MAX_CLAIMS) this.#claims.splice(0, this.#claims.length - MAX_CLAIMS)
  }
}
