import { Key } from 'interface-datastore'
import { fromString } from 'uint8arrays/from-string'
import { toString as bytesToString } from 'uint8arrays/to-string'

/**
 * The voucher store's key layout: `/provider/channel/<address>`,
 * `/client/channel/<address>`, `/<role>/job/<base64url job id>` and
 * `/meta/<role>/<address>`.
 */
export type StoreRole = 'provider' | 'client'

export function providerKey(channel: string): Key {
  return new Key(`/provider/channel/${channel}`)
}

export function clientKey(channel: string): Key {
  return new Key(`/client/channel/${channel}`)
}

export function jobKey(role: StoreRole, jobId: string): Key {
  // uint8arrays, not Buffer: the `buffer` package a browser bundle gets has no base64url
  return new Key(`/${role}/job/${bytesToString(fromString(jobId), 'base64url')}`)
}

export function metaKey(role: StoreRole, address: string): Key {
  return new Key(`/meta/${role}/${address}`)
}

/** Most key strings remembered per kind before the cache starts over. */
const MAX_CACHED_KEYS = 10_000

/**
 * The key strings of channel and job records, exactly as
 * `new Key(...).toString()` gives them; cached, since every voucher writes
 * the same few keys.
 */
export class RecordKeys {
  readonly #cache = {
    providerChannel: new Map<string, string>(),
    providerJob: new Map<string, string>(),
    clientChannel: new Map<string, string>(),
    clientJob: new Map<string, string>(),
  }

  /** The key string of a channel record (`kind` channel) or a job record (`kind` job). */
  of(role: StoreRole, kind: 'channel' | 'job', id: string): string {
    const cache =
      role === 'provider'
        ? kind === 'channel'
          ? this.#cache.providerChannel
          : this.#cache.providerJob
        : kind === 'channel'
          ? this.#cache.clientChannel
          : this.#cache.clientJob
    let key = cache.get(id)
    if (key === undefined) {
      key = (
        kind === 'job' ? jobKey(role, id) : role === 'provider' ? providerKey(id) : clientKey(id)
      ).toString()
      if (cache.size >= MAX_CACHED_KEYS) cache.clear()
      cache.set(id, key)
    }
    return key
  }
}
