/** The node's log lines: who it is, its peers and offers, one line per job event. */
import type { JobServiceEvent } from '../jobs/provider.js'
import type { OfferTemplate } from '../market/offer-factory.js'
import type { CocoonPeer } from '../peer/types.js'

/** `text` on one line, runs of whitespace as one space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** The job id, or `before-request` for a stream that ended before its JobRequest said one. */
function jobLabel(jobId: string): string {
  return jobId === '' ? 'before-request' : jobId
}

/** One line per job event (not per token), like peers and offers. */
export function jobLine(e: JobServiceEvent): string | undefined {
  switch (e.type) {
    case 'accepted':
      return `job-accepted ${e.jobId} client=${e.client} model=${e.model}`
    case 'rejected':
      return `job-rejected ${jobLabel(e.jobId)} client=${e.client} reason=${e.reason} ${oneLine(e.message)}`
    case 'finished':
      return `job-finished ${e.jobId} cost=${e.cost} tokens=${e.completionTokens} gflop=${e.gflop}`
    case 'failed':
      return `job-failed ${jobLabel(e.jobId)} client=${e.client} code=${e.code} ${oneLine(e.message)}`
    case 'progress':
      return undefined
  }
}

/**
 * Logs who this node is, then one line per peer and offer change (also what
 * happened during start-up, before the listeners: libp2p dials peers
 * remembered in the datastore while it starts). `changed` runs on each change.
 */
export function logStartup(
  peer: CocoonPeer,
  about: { template: OfferTemplate | undefined; metricsUrl: string | undefined },
  log: (line: string) => void,
  changed: () => void,
): void {
  const { template, metricsUrl } = about
  log(`peer-id ${peer.libp2p.peerId.toString()}`)
  if (metricsUrl !== undefined) log(`metrics ${metricsUrl}`)
  for (const addr of peer.libp2p.getMultiaddrs()) log(`listening ${addr.toString()}`)
  if (template !== undefined)
    log(`providing ${template.models.join(',')} gpu=${template.gpu?.model ?? 'cpu'}`)
  peer.libp2p.addEventListener('peer:connect', (e) => {
    log(`peer-joined ${e.detail.toString()}`)
    changed()
  })
  peer.libp2p.addEventListener('peer:disconnect', (e) => {
    log(`peer-left ${e.detail.toString()}`)
    changed()
  })
  peer.orderBook.addEventListener('change', (e) => {
    const { type, provider, entry, reason } = e.detail
    log(
      `offer-${type} ${provider} models=${entry.models.join(',')} seq=${entry.offer.sequence}${reason === undefined ? '' : ` reason=${reason}`}`,
    )
    changed()
  })
  for (const id of new Set(peer.libp2p.getConnections().map((c) => c.remotePeer.toString())))
    log(`peer-joined ${id}`)
  for (const entry of peer.orderBook.entries())
    log(`offer-added ${entry.provider} models=${entry.models.join(',')} seq=${entry.offer.sequence}`)
}
