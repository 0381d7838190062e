import { LevelDatastore } from 'datastore-level'
import type { BatchCommit } from './durable-writer.js'
import { VoucherStore, type VoucherStoreInit } from './voucher-store.js'

/**
 * A LevelDB batch written straight to the database with `sync: true` (fsync
 * before it resolves) when `sync` is set. datastore-level's own
 * `batch().commit()` never syncs, so a crash right after an acknowledged
 * voucher could lose it; this commit is why a LevelDB-backed store loses
 * nothing it acknowledged.
 */
export function levelCommit(datastore: LevelDatastore, sync = true): BatchCommit {
  return async (entries) => {
    const ops = new Array<{ type: 'put'; key: string; value: Uint8Array }>(entries.length)
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as { key: string; value: Uint8Array }
      ops[i] = { type: 'put', key: e.key, value: e.value }
    }
    await datastore.db.batch(ops, { sync })
  }
}

export interface OpenVoucherStoreOptions extends Omit<VoucherStoreInit, 'commit' | 'onClose'> {
  /**
   * fsync every write before it resolves (default true). Only the simulator
   * and benchmarks that do not measure persistence turn this off.
   */
  durable?: boolean
}

/** What {@link openVoucherStore} throws: LevelDB cannot open the folder (locked by another process, unreadable). */
export type OpenVoucherStoreErrorType = Error

/**
 * Opens (creating) a LevelDB-backed store at `path`, fsyncing every write
 * ({@link levelCommit}); its `close()` closes the database.
 * @throws {OpenVoucherStoreErrorType}
 */
export async function openVoucherStore(
  path: string,
  options: OpenVoucherStoreOptions = {},
): Promise<VoucherStore> {
  const { durable = true, ...init } = options
  const datastore = new LevelDatastore(path)
  await datastore.open()
  return new VoucherStore(datastore, {
    ...init,
    commit: levelCommit(datastore, durable),
    onClose: () => datastore.close(),
  })
}
