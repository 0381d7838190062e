/** The page's elements and how a job shows in them. */
import type { JobUsage } from '@cocoon-mesh/client'
import { TrustTier } from '@cocoon-mesh/protocol'

export interface View {
  bootstrap: HTMLInputElement
  text: HTMLTextAreaElement
  summarise: HTMLButtonElement
  wallet: HTMLButtonElement
  status(line: string): void
  /** Empties the output, usage and error of the last job. */
  clear(): void
  append(text: string): void
  usage(usage: JobUsage, payment: PaymentLine | undefined): void
  error(message: { title: string; action: string }): void
}

/** What the page shows of the channel a paid job went through. */
export interface PaymentLine {
  channel: string
  /** nanoTON the client has signed through the channel so far. */
  signed: bigint
}

function byId<T extends HTMLElement>(doc: Document, id: string, type: new () => T): T {
  const el = doc.getElementById(id)
  if (!(el instanceof type)) throw new Error(`index.html has no <${type.name}> #${id}`)
  return el
}

export function createView(doc: Document): View {
  const output = byId(doc, 'output', HTMLOutputElement)
  const usage = byId(doc, 'usage', HTMLParagraphElement)
  const error = byId(doc, 'error', HTMLParagraphElement)
  const status = byId(doc, 'status', HTMLParagraphElement)
  return {
    bootstrap: byId(doc, 'bootstrap', HTMLInputElement),
    text: byId(doc, 'text', HTMLTextAreaElement),
    summarise: byId(doc, 'summarise', HTMLButtonElement),
    wallet: byId(doc, 'wallet', HTMLButtonElement),
    status(line) {
      status.textContent = line
    },
    clear() {
      output.textContent = ''
      usage.textContent = ''
      for (const name of Object.keys(usage.dataset)) delete usage.dataset[name]
      error.hidden = true
      error.textContent = ''
    },
    append(text) {
      output.append(text)
    },
    usage(u, payment) {
      const served = u.parts.filter((p) => p.outcome === 'completed').at(-1) ?? u.parts.at(-1)
      if (served === undefined) return
      const failovers = u.parts.length - 1
      usage.dataset.provider = served.providerId
      usage.dataset.price = served.price.perKCompletionTokens.toString()
      usage.dataset.tier = tierName(served.tier)
      usage.dataset.cost = u.cost.toString()
      if (payment !== undefined) {
        usage.dataset.channel = payment.channel
        usage.dataset.signed = payment.signed.toString()
      }
      usage.textContent = [
        `served by ${short(served.providerId)}`,
        `at ${ton(served.price.perKCompletionTokens)} TON per 1k tokens`,
        `trust: ${tierName(served.tier)}`,
        `cost ${ton(u.cost)} TON for ${u.promptTokens}+${u.completionTokens} tokens`,
        ...(failovers > 0 ? [`after ${failovers} failover(s)`] : []),
        ...(payment === undefined
          ? []
          : [`channel ${short(payment.channel)}, ${ton(payment.signed)} TON signed`]),
      ].join(' · ')
    },
    error({ title, action }) {
      error.hidden = false
      error.textContent = `${title}\n${action}`
    },
  }
}

/** `attested` or `open`: the client's own verdict on the provider's evidence, never its claim. */
function tierName(tier: TrustTier): string {
  return tier === TrustTier.TRUST_TIER_ATTESTED ? 'attested' : 'open'
}

function short(id: string): string {
  return id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id
}

/** nanoTON as TON with up to 9 decimals, trailing zeros cut. */
export function ton(nano: bigint): string {
  const whole = nano / 1_000_000_000n
  const frac = (nano % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '')
  return frac === '' ? whole.toString() : `${whole}.${frac}`
}
