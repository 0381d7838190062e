/**
 * The node's log: who it is, its peers and offers, one line per job event.
 * Every event has one field set ({@link NodeEvents}); `text` (the default)
 * prints the operator's one-line form, `json` one JSON object per line
 * (`{"time", "event", ...fields}`) for log collectors.
 */

import type { CocoonPeer, OfferBookChange, OfferTemplate } from '@cocoon-mesh/client/internal'
import type { JobServiceEvent } from '../jobs/provider.js'

export type LogFormat = 'text' | 'json'

/** The log formats `--log-format` accepts. */
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json']

type OfferFields = { provider: string; models: readonly string[]; sequence: string; reason?: string }

/** Each event the node logs, with its fields. */
export interface NodeEvents {
  'peer-id': { peerId: string }
  metrics: { url: string }
  dashboard: { url: string }
  listening: { address: string }
  'relay-address': { address: string }
  'relay-address-lost': { address: string }
  'public-address': { address: string }
  'public-address-lost': { address: string }
  'relay-refused': { relay: string; error: string }
  'connection-relayed': { peer: string; via: string }
  'connection-upgraded': { peer: string; via: string }
  providing: { models: string[]; gpu: string }
  'model-check': { model: string; phase: 'probing' | 'benchmarking' }
  'test-model': { model: string }
  'model-pull': { model: string; source: string }
  'model-pull-failed': { model: string; error: string }
  'model-unavailable': { model: string; error: string; fix: string }
  benchmark: { model: string; tokensPerSecond: number; cached: boolean }
  'peer-joined': { peer: string }
  'peer-left': { peer: string }
  'offer-added': OfferFields
  'offer-replaced': OfferFields
  'offer-removed': OfferFields
  'job-accepted': { jobId: string; client: string; model: string; via: string }
  'job-rejected': { jobId: string; client: string; reason: string; message: string }
  'job-finished': { jobId: string; cost: string; tokens: number; gflop: number; via: string }
  'job-failed': { jobId: string; client: string; code: string; message: string }
  'payments-off': { payout: string }
  'payments-on': { endpoint: string; payout: string; settlementKey: string }
  'cleanup-failed': { step: string; error: string }
  'attestation-off': { reason: string }
  'attestation-on': { tee: string; evidenceBytes: number }
  'attestation-self-check': { verdict: string }
  stopping: { signal: string }
  stopped: Record<string, never>
  /** A line of a component that logs text (the provider settlement): its first word and the rest. */
  line: { name: string; message: string }
}

export type NodeEventName = keyof NodeEvents

/** One logged event with its fields, as a union an observer can switch on. */
export type NodeEvent = { [E in NodeEventName]: { event: E; fields: NodeEvents[E] } }[NodeEventName]

/** `text` on one line, runs of whitespace as one space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** The job id, or `before-request` for a stream that ended before its JobRequest said one. */
function jobLabel(jobId: string): string {
  return jobId === '' ? 'before-request' : jobId
}

function offerText(type: string, f: OfferFields): string {
  return `offer-${type} ${f.provider} models=${f.models.join(',')} seq=${f.sequence}${f.reason === undefined ? '' : ` reason=${f.reason}`}`
}

/** The text form of each event: the lines operators and tests read. */
const TEXT: { [E in NodeEventName]: (f: NodeEvents[E]) => string } = {
  'peer-id': (f) => `peer-id ${f.peerId}`,
  metrics: (f) => `metrics ${f.url}`,
  dashboard: (f) => `dashboard ${f.url}`,
  listening: (f) => `listening ${f.address}`,
  'relay-address': (f) => `relay-address ${f.address}`,
  'relay-address-lost': (f) => `relay-address-lost ${f.address}`,
  'public-address': (f) => `public-address ${f.address}`,
  'public-address-lost': (f) => `public-address-lost ${f.address}`,
  'relay-refused': (f) => `relay-refused ${f.relay} ${oneLine(f.error)}`,
  // js-libp2p cannot hole-punch TCP (no dialling from the listening port), so on TCP this stays relayed
  'connection-relayed': (f) =>
    `connection-relayed ${f.peer} via=${f.via} (hole punching cannot upgrade it on TCP: js-libp2p dials from no listening port)`,
  'connection-upgraded': (f) => `connection-upgraded ${f.peer} via=${f.via}`,
  providing: (f) => `providing ${f.models.join(',')} gpu=${f.gpu}`,
  'model-check': (f) => `model-check ${f.model} ${f.phase}`,
  'model-pull': (f) => `model-pull ${f.model} ${f.source}`,
  'model-pull-failed': (f) => `model-pull-failed ${f.model} ${oneLine(f.error)}`,
  'test-model': (f) =>
    `test-model ${f.model}: a generated TEST model (random weights, gibberish answers); sell a real one with \`cocoon models add\``,
  'model-unavailable': (f) => `model-unavailable ${f.model} ${oneLine(f.error)} fix: ${oneLine(f.fix)}`,
  benchmark: (f) =>
    `benchmark ${f.model} tokens/s=${f.tokensPerSecond.toFixed(1)}${f.cached ? ' (cached)' : ''}`,
  'peer-joined': (f) => `peer-joined ${f.peer}`,
  'peer-left': (f) => `peer-left ${f.peer}`,
  'offer-added': (f) => offerText('added', f),
  'offer-replaced': (f) => offerText('replaced', f),
  'offer-removed': (f) => offerText('removed', f),
  'job-accepted': (f) => `job-accepted ${f.jobId} client=${f.client} model=${f.model} via=${f.via}`,
  'job-rejected': (f) =>
    `job-rejected ${jobLabel(f.jobId)} client=${f.client} reason=${f.reason} ${oneLine(f.message)}`,
  'job-finished': (f) =>
    `job-finished ${f.jobId} cost=${f.cost} tokens=${f.tokens} gflop=${f.gflop} via=${f.via}`,
  'job-failed': (f) =>
    `job-failed ${jobLabel(f.jobId)} client=${f.client} code=${f.code} ${oneLine(f.message)}`,
  'payments-off': (f) => `payments off (free jobs): no chain endpoint; payout ${f.payout}`,
  'payments-on': (f) => `payments on via ${f.endpoint}; payout ${f.payout} settlement-key ${f.settlementKey}`,
  'cleanup-failed': (f) => `cleanup-failed ${f.step} ${oneLine(f.error)}`,
  'attestation-off': (f) => `attestation off (open tier): ${oneLine(f.reason)}`,
  'attestation-on': (f) =>
    `attestation on: ${f.tee} quote bound to this peer and settlement key (${f.evidenceBytes} bytes of evidence)`,
  'attestation-self-check': (f) => `attestation self-check: ${oneLine(f.verdict)}`,
  stopping: (f) => `stopping ${f.signal}`,
  stopped: () => 'stopped',
  line: (f) => (f.message === '' ? f.name : `${f.name} ${f.message}`),
}

export interface NodeLog {
  /** Logs one event with its fields. */
  event<E extends NodeEventName>(event: E, fields: NodeEvents[E]): void
  /** Logs a text line of a component that logs lines: its first word names the event. */
  readonly line: (text: string) => void
}

/**
 * A node log writing to `write` (one line per call, no newline) in `format`;
 * `now` stamps JSON events; `observe` sees each event as it is logged (the dashboard).
 */
export function createNodeLog(
  format: LogFormat,
  write: (line: string) => void,
  now: () => number = Date.now,
  observe?: (e: NodeEvent) => void,
): NodeLog {
  const event = <E extends NodeEventName>(name: E, fields: NodeEvents[E]): void => {
    if (format === 'text') {
      write(TEXT[name](fields))
    } else {
      const { name: lineName, message } = fields as { name?: string; message?: string }
      const record =
        name === 'line'
          ? { time: new Date(now()).toISOString(), event: lineName, message }
          : { time: new Date(now()).toISOString(), event: name, ...fields }
      write(JSON.stringify(record))
    }
    // after the line is out: the log holds the event whatever its observer does
    observe?.({ event: name, fields } as NodeEvent)
  }
  return {
    event,
    line: (text: string) => {
      const space = text.indexOf(' ')
      event('line', {
        name: space === -1 ? text : text.slice(0, space),
        message: space === -1 ? '' : text.slice(space + 1),
      })
    },
  }
}

/** Logs a job event (one per job state, not per token). */
export function logJobEvent(log: NodeLog, e: JobServiceEvent): void {
  switch (e.type) {
    case 'accepted':
      log.event('job-accepted', { jobId: e.jobId, client: e.client, model: e.model, via: e.via })
      break
    case 'rejected':
      log.event('job-rejected', { jobId: e.jobId, client: e.client, reason: e.reason, message: e.message })
      break
    case 'finished':
      log.event('job-finished', {
        jobId: e.jobId,
        cost: String(e.cost),
        tokens: e.completionTokens,
        gflop: e.gflop,
        via: e.via,
      })
      break
    case 'failed':
      log.event('job-failed', { jobId: e.jobId, client: e.client, code: e.code, message: e.message })
      break
    case 'progress':
      break
  }
}

function logOffer(
  log: NodeLog,
  change: Pick<OfferBookChange, 'type' | 'provider' | 'entry' | 'reason'>,
): void {
  const { type, provider, entry, reason } = change
  log.event(`offer-${type}`, {
    provider,
    models: entry.models,
    sequence: String(entry.offer.sequence),
    ...(reason === undefined ? {} : { reason }),
  })
}

/**
 * Logs who this node is, then one event per peer and offer change (also what
 * happened during start-up, before the listeners: libp2p dials peers
 * remembered in the datastore while it starts). `changed` runs on each change.
 */
export function logStartup(
  peer: CocoonPeer,
  about: {
    template: OfferTemplate | undefined
    metricsUrl: string | undefined
    dashboardUrl?: string
    /** The addresses the transports listen on, each with the peer id. */
    listening: readonly string[]
  },
  log: NodeLog,
  changed: () => void,
): void {
  const { template, metricsUrl, dashboardUrl, listening } = about
  log.event('peer-id', { peerId: peer.libp2p.peerId.toString() })
  if (metricsUrl !== undefined) log.event('metrics', { url: metricsUrl })
  if (dashboardUrl !== undefined) log.event('dashboard', { url: dashboardUrl })
  for (const address of listening) log.event('listening', { address })
  if (template !== undefined)
    log.event('providing', { models: template.models, gpu: template.gpu?.model ?? 'cpu' })
  peer.libp2p.addEventListener('peer:connect', (e) => {
    log.event('peer-joined', { peer: e.detail.toString() })
    changed()
  })
  peer.libp2p.addEventListener('peer:disconnect', (e) => {
    log.event('peer-left', { peer: e.detail.toString() })
    changed()
  })
  peer.orderBook.addEventListener('change', (e) => {
    logOffer(log, e.detail)
    changed()
  })
  for (const id of new Set(peer.libp2p.getConnections().map((c) => c.remotePeer.toString())))
    log.event('peer-joined', { peer: id })
  for (const entry of peer.orderBook.entries())
    logOffer(log, { type: 'added', provider: entry.provider, entry })
}
