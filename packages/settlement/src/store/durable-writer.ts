import { LevelDatastore } from 'datastore-level'
import type { Datastore, Key } from 'interface-datastore'

/**
 * Group commit: every `write()` resolves only after its entries reached the
 * disk (LevelDB batch with `sync: true`, i.e. fsync). Writes that arrive while
 * a flush is in flight are coalesced into the next one, so throughput under
 * concurrency is one fsync per batch, not per voucher.
 */
export class DurableWriter {
  private queue: { key: Key; value: Uint8Array }[] = []
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = []
  private flushing = false

  constructor(
    private readonly datastore: Datastore,
    private readonly sync = true,
  ) {}

  write(entries: { key: Key; value: Uint8Array }[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push(...entries)
      this.waiters.push({ resolve, reject })
      if (!this.flushing) void this.flush()
    })
  }

  private async flush(): Promise<void> {
    this.flushing = true
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

  private async commit(entries: { key: Key; value: Uint8Array }[]): Promise<void> {
    const ds = this.datastore
    if (ds instanceof LevelDatastore) {
      await ds.db.batch(
        entries.map((e) => ({ type: 'put' as const, key: e.key.toString(), value: e.value })),
        { sync: this.sync },
      )
      return
    }
    const batch = ds.batch()
    for (const e of entries) batch.put(e.key, e.value)
    await batch.commit()
  }
}
