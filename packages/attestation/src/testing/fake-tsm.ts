/**
 * A configfs-tsm report tree in a temp folder, laid out as the kernel lays it
 * out, and answered by a watcher: `mkdir <root>/<name>` gets `provider`,
 * `generation`, `inblob`, `outblob` (and `auxblob`, `privlevel` for
 * sev_guest); a write of `inblob` bumps `generation` and makes `outblob`
 * the quote `makeQuote(inblob)` returns. `outblob` is a FIFO, so a reader
 * that opens it waits for the answer as it would for the kernel's.
 */
export interface FakeTsmOptions {
  /** Parent folder; default a fresh one under the OS temp dir. */
  dir?: string
  provider?: 'tdx_guest' | 'sev_guest' | string
  /** The quote for a given inblob (the report data). */
  makeQuote: (reportData: Uint8Array) => Uint8Array | Promise<Uint8Array>
  /** SEV-SNP auxblob bytes. */
  auxBlob?: Uint8Array
  /** 'race': bump generation twice per write, as if a second writer raced the reader. */
  interfere?: 'race'
}

export interface FakeTsm {
  /** Pass as `root` / `tsmRoot`. */
  root: string
  /** Quotes answered so far. */
  readonly answered: number
  /** Stops the watcher and deletes the tree. */
  close(): Promise<void>
}

export async function startFakeTsm(_options: FakeTsmOptions): Promise<FakeTsm> {
  throw new Error('startFakeTsm: implementation follows in the next commit')
}
