import { LevelDatastore } from 'datastore-level'
import { type Datastore, Key } from 'interface-datastore'

/** One record to write: the key as the datastore's string form (`new Key(s).toString()`). */
export interface DurableEntry {
  key: string
  value: Uint8Array
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * Group commit: every `write()` resolves only after its entries reached the
 * disk (LevelDB batch with `sync: true`, i.e. fsync). Writes that arrive while
 * a flush is in flight are coalesced into the next one, so throughput under
 * concurrency is one fsync per batch, not per voucher.
 */
export class DurableWriter {
  private queue: DurableEntry[] = []
  private waiters: Waiter[] = []
  private flushing = false

  constructor(
    private readonly datastore: Datastore,
    private readonly sync = true,
  ) {}

  /** Resolves once the entries are on disk (all in one atomic batch). */
  write(...entries: DurableEntry[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      for (const e of entries) this.queue.push(e)
      this.waiters.push({ resolve, reject })
      if (!this.flushing) {
        // start after the current tick: writes caused by one event (e.g. the
        // waiters another store just released) then share one batch and one
        // fsync instead of the first going alone
        this.flushing = true
        setImmediate(() => void this.flush())
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

  private async commit(entries: DurableEntry[]): Promise<void> {
    const ds = this.datastore
    if (ds instanceof LevelDatastore) {
      const ops = new Array<{ type: 'put'; key: string; value: Uint8Array }>(entries.length)
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i] as DurableEntry
        ops[i] = { type: 'put', key: e.key, value: e.value }
      }
      await ds.db.batch(ops, { sync: this.sync })
      return
    }
    const batch = ds.batch()
    for (const e of entries) batch.put(new Key(e.key), e.value)
    await batch.commit()
  }
}
