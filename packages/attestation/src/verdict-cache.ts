import { LRUCache } from 'lru-cache'
import type { AttestationPolicy, AttestationVerdict } from './types.js'

/** What besides the evidence a verdict depends on. */
export interface VerdictCacheKeyParts {
  peerPublicKey: Uint8Array
  settlementPublicKey: Uint8Array
  policy: AttestationPolicy
}

/** Default number of verdicts a {@link VerdictCache} keeps. */
export const DEFAULT_VERDICT_CACHE_SIZE = 1024

export interface CachedVerdict {
  verdict: AttestationVerdict
  /** Unix ms window in which the verdict holds; outside it the evidence is verified again. */
  from: number
  until: number
}

/**
 * Verdicts per (evidence hash: quote, collateral, GPU token; peer key;
 * settlement key; policy), bounded LRU. A verdict is reused only inside the
 * time window it was computed for (the collateral's and GPU token's
 * validity), so a cached 'attested' expires with its collateral. Verdicts that
 * depend on the clock in a way the window cannot capture (collateral expired
 * or not yet valid) are not cached.
 */
export class VerdictCache {
  readonly #entries: LRUCache<string, CachedVerdict>
  readonly #policyIds = new WeakMap<AttestationPolicy, number>()
  #nextPolicyId = 0

  constructor(init: { max?: number } = {}) {
    this.#entries = new LRUCache({ max: init.max ?? DEFAULT_VERDICT_CACHE_SIZE })
  }

  get size(): number {
    return this.#entries.size
  }

  clear(): void {
    this.#entries.clear()
  }

  /** @internal */
  key(evidenceHash: string, options: VerdictCacheKeyParts): string {
    let id = this.#policyIds.get(options.policy)
    if (id === undefined) {
      id = this.#nextPolicyId++
      this.#policyIds.set(options.policy, id)
    }
    const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
    return `${id}:${evidenceHash}:${hex(options.peerPublicKey)}:${hex(options.settlementPublicKey)}`
  }

  /** @internal */
  get(key: string, now: number): AttestationVerdict | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined || now < entry.from || now > entry.until) return undefined
    return { ...entry.verdict, checks: entry.verdict.checks.map((c) => ({ ...c })), cached: true }
  }

  /** @internal */
  set(key: string, entry: CachedVerdict): void {
    this.#entries.set(key, entry)
  }
}
