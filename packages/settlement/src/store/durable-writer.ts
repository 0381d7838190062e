import { type Datastore, Key } from 'interface-datastore'
import { afterThisTick } from '#platform'

/** One record to write: the key as the datastore's string form (`new Key(s).toString()`). */
export interface DurableEntry {
  key: string
  value: Uint8Array
}

/**
 * Writes one batch of records atomically and resolves only once they are as
 * durable as the store behind it makes them. A VoucherStore acknowledges a
 * voucher (and signs the next one above it) only after its batch resolved, so
 * this is where "nothing acknowledged is ever lost" is decided.
 */
export type BatchCommit = (entries: DurableEntry[]) => Promise<void>

/**
 * The datastore's own `batch().commit()`: atomic, and durable exactly as far
 * as that datastore's commit is. `datastore-idb` (IDBDatastore) commits one
 * IndexedDB readwrite transaction and resolves on its `complete` event, so a
 * record survives a page reload or a crashed tab (the browser's default
 * durability; an OS crash may lose the newest batches where it is relaxed).
 * `datastore-core`'s MemoryDatastore keeps records for the life of the
 * object only. LevelDB gets {@link levelCommit} (`@cocoon-mesh/settlement/node`),
 * which adds the fsync its plain batch lacks.
 */
export function datastoreCommit(datastore: Datastore): BatchCommit {
  return async (entries) => {
    const batch = datastore.batch()
    for (const e of entries) batch.put(new Key(e.key), e.value)
    await batch.commit()
  }
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * Group commit: every `write()` resolves only after its entries were
 * committed (one {@link BatchCommit} call; on LevelDB a batch with
 * `sync: true`, i.e. fsync). Writes that arrive while a commit is in flight
 * are coalesced into the next one, so throughput under concurrency is one
 * commit (fsync) per batch, not per voucher.
 */
export class DurableWriter {
  private queue: DurableEntry[] = []
  private waiters: Waiter[] = []
  private flushing = false

  constructor(private readonly commit: BatchCommit) {}

  /** Resolves once the entries are committed (all in one atomic batch). */
  write(...entries: DurableEntry[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      for (const e of entries) this.queue.push(e)
      this.waiters.push({ resolve, reject })
      if (!this.flushing) {
        // start after the current tick: writes caused by one event (e.g. the
        // waiters another store just released) then share one batch and one
        // fsync instead of the first going alone
        this.flushing = true
        afterThisTick(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const entries = this.queue
      const waiters = this.waiters
      this.queue = []
      this.waiters = []
      try {
        await this.commit(entries)
        for (const w of waiters) w.resolve()
      } catch (error) {
        for (const w of waiters) w.reject(error)
      }
    }
    this.flushing = false
  }
}
