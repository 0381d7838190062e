/**
 * Quotes from the Linux configfs-tsm report interface (kernel 6.7+,
 * Documentation/ABI/testing/configfs-tsm-report), the one interface for Intel
 * TDX and AMD SEV-SNP guests:
 *
 * 1. `mkdir <root>/<name>`: the kernel fills the entry with its attributes;
 * 2. read `provider` (`tdx_guest`, `sev_guest`) and `generation`;
 * 3. write the 64 bytes of report data to `inblob` (generation + 1);
 * 4. read `outblob` (the quote; the kernel makes it on this read) and, for
 *    SEV-SNP, `auxblob` (the certificate table);
 * 5. read `generation` again: anything but the first value + 1 means another
 *    writer changed the entry in between, so the quote may carry their data;
 * 6. `rmdir` the entry.
 */
import { randomUUID } from 'node:crypto'
import { watch } from 'node:fs'
import { access, mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ATTESTATION_REPORT_DATA_BYTES, errorLine, errorMessage } from '@cocoon-mesh/protocol'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { deadline } from './deadline.js'
import {
  InvalidReportDataError,
  TsmGenerationRaceError,
  TsmReportFailedError,
  TsmUnavailableError,
  TsmUnknownProviderError,
} from './errors.js'
import type { TeeName } from './types.js'

/** Where the kernel mounts the report interface. */
export const DEFAULT_TSM_REPORT_ROOT = '/sys/kernel/config/tsm/report'
/** Longest a quote may take by default (a TDX quote goes through the host's quoting enclave). */
export const DEFAULT_TSM_TIMEOUT_MS = 30_000

/** The configfs-tsm `provider` names this package turns into evidence, and their TEE. */
export const TSM_PROVIDERS: Readonly<Record<string, TeeName>> = {
  tdx_guest: 'tdx',
  sev_guest: 'sev-snp',
}

export interface ReadTsmQuoteOptions {
  /** The report directory; default {@link DEFAULT_TSM_REPORT_ROOT}. */
  root?: string
  /** Exactly 64 bytes; attestationReportData(peer key, settlement key) for a Cocoon offer. */
  reportData: Uint8Array
  signal?: AbortSignal
  /** Bound on the whole exchange; default {@link DEFAULT_TSM_TIMEOUT_MS}. */
  timeoutMs?: number
  /** SEV-SNP VMPL to request (written to `privlevel` before `inblob`); left alone when absent. */
  privLevel?: number
  logger?: ComponentLogger
}

/** One quote read from configfs-tsm. */
export interface TsmQuote {
  tee: TeeName
  /** The entry's `provider`, as the kernel names it. */
  provider: string
  /** `outblob`: the DCAP quote (TDX) or the attestation report (SEV-SNP). */
  quote: Uint8Array
  /** `auxblob` for SEV-SNP (certificate table), absent otherwise or when the kernel gives none. */
  auxBlob: Uint8Array | undefined
  /** `generation` after the quote was read. */
  generation: number
}

/** What {@link detectTee} found. */
export type TeeDetection =
  | { available: true; tee: TeeName; provider: string; root: string }
  | {
      available: false
      root: string
      /** One sentence for humans: why this node cannot attest. */
      reason: string
      error: TsmUnavailableError | TsmUnknownProviderError | TsmReportFailedError
    }

/**
 * How long to wait for an entry's attributes after `mkdir`. configfs creates
 * them with the directory, so on a kernel this never waits; a tree laid out
 * by a user-space stand-in (the test double in ./testing) fills them in a
 * moment later, and a plain directory never does.
 */
const ENTRY_POPULATE_TIMEOUT_MS = 5_000

/**
 * Reads one quote over configfs-tsm. Throws InvalidReportDataError (not 64
 * bytes), TsmUnavailableError (no report directory), TsmUnknownProviderError,
 * TsmGenerationRaceError, TsmReportFailedError (an attribute could not be
 * written or read, or the quote came back empty), AbortedError or
 * DeadlineExceededError.
 */
export async function readTsmQuote(options: ReadTsmQuoteOptions): Promise<TsmQuote> {
  if (options.reportData.byteLength !== ATTESTATION_REPORT_DATA_BYTES) {
    throw new InvalidReportDataError(`report data has ${options.reportData.byteLength} bytes`, {
      details: `configfs-tsm inblob takes exactly ${ATTESTATION_REPORT_DATA_BYTES} bytes here: pass attestationReportData(peerPublicKey, settlementPublicKey).`,
    })
  }
  const root = options.root ?? DEFAULT_TSM_REPORT_ROOT
  const log = (options.logger ?? defaultLogger()).forComponent('cocoon:attestation:tsm')
  const bound = deadline(options.timeoutMs ?? DEFAULT_TSM_TIMEOUT_MS, options.signal)
  return bound.race(
    withEntry(root, log, bound.signal, (entry) => generateQuote(entry, options, bound.signal)),
    `configfs-tsm quote at ${root}`,
  )
}

/**
 * Which TEE this machine's configfs-tsm offers, found by creating an entry
 * and reading its `provider` (the only place the kernel names it). Never
 * throws for an absent or unusable TEE: it says why in `reason`.
 */
export async function detectTee(
  options: { root?: string; signal?: AbortSignal; timeoutMs?: number; logger?: ComponentLogger } = {},
): Promise<TeeDetection> {
  const root = options.root ?? DEFAULT_TSM_REPORT_ROOT
  const log = (options.logger ?? defaultLogger()).forComponent('cocoon:attestation:tsm')
  const bound = deadline(options.timeoutMs ?? DEFAULT_TSM_TIMEOUT_MS, options.signal)
  try {
    const provider = await bound.race(
      withEntry(root, log, bound.signal, async (entry) =>
        (await readAttribute(entry, 'provider', bound.signal)).trim(),
      ),
      `configfs-tsm provider at ${root}`,
    )
    return {
      available: true,
      tee: teeOfProvider(provider, join(root, '<entry>', 'provider')),
      provider,
      root,
    }
  } catch (error) {
    if (
      error instanceof TsmUnavailableError ||
      error instanceof TsmUnknownProviderError ||
      error instanceof TsmReportFailedError
    ) {
      return { available: false, root, reason: error.shortMessage, error }
    }
    throw error
  }
}

async function generateQuote(
  entry: string,
  options: ReadTsmQuoteOptions,
  signal: AbortSignal,
): Promise<TsmQuote> {
  const provider = (await readAttribute(entry, 'provider', signal)).trim()
  const tee = teeOfProvider(provider, join(entry, 'provider'))
  if (options.privLevel !== undefined) {
    await writeAttribute(entry, 'privlevel', String(options.privLevel), signal)
  }
  const before = await readGeneration(entry, signal)
  await writeAttribute(entry, 'inblob', options.reportData, signal)
  const quote = await readBlob(entry, 'outblob', signal)
  const auxBlob = tee === 'sev-snp' ? await readOptionalBlob(entry, 'auxblob', signal) : undefined
  const generation = await readGeneration(entry, signal)
  if (generation !== before + 1) {
    throw new TsmGenerationRaceError(
      `configfs-tsm generation went from ${before} to ${generation} around one write of inblob`,
      {
        path: join(entry, 'generation'),
        details:
          'Another process wrote this report entry while the quote was made, so the quote may carry its report data. Retry; make sure no other process uses the entry.',
      },
    )
  }
  if (quote.byteLength === 0) {
    throw new TsmReportFailedError('configfs-tsm returned an empty outblob', {
      path: join(entry, 'outblob'),
      details:
        'The quoting service produced nothing: check the guest driver and, for TDX, the host quote generation service (QGS).',
    })
  }
  return { tee, provider, quote, auxBlob, generation }
}

/** Creates a uniquely named entry, runs `fn` on it, and removes it (a removal failure is logged). */
async function withEntry<T>(
  root: string,
  log: Logger,
  signal: AbortSignal,
  fn: (entry: string) => Promise<T>,
): Promise<T> {
  await assertRoot(root)
  const entry = join(root, `cocoon-${process.pid}-${randomUUID()}`)
  try {
    await mkdir(entry)
  } catch (error) {
    throw new TsmReportFailedError(`could not create configfs-tsm entry ${entry}: ${errorMessage(error)}`, {
      path: entry,
      cause: error,
      details: 'Creating report entries needs root (or write access to the report directory).',
    })
  }
  try {
    await waitForAttributes(entry, signal)
    return await fn(entry)
  } finally {
    await removeEntry(entry, log)
  }
}

async function assertRoot(root: string): Promise<void> {
  try {
    const info = await stat(root)
    if (info.isDirectory()) return
  } catch (error) {
    throw new TsmUnavailableError(`no configfs-tsm report directory at ${root}`, {
      path: root,
      cause: error,
      details:
        'This machine is not a TDX or SEV-SNP guest, its kernel is older than 6.7, or configfs is not mounted (mount -t configfs none /sys/kernel/config).',
    })
  }
  throw new TsmUnavailableError(`${root} is not a directory`, {
    path: root,
    details: 'Point the report root at the configfs-tsm report directory.',
  })
}

/** Resolves once the entry has its `outblob` (at once on a kernel), woken by changes in the entry. */
async function waitForAttributes(entry: string, signal: AbortSignal): Promise<void> {
  const outblob = join(entry, 'outblob')
  const limit = AbortSignal.any([signal, AbortSignal.timeout(ENTRY_POPULATE_TIMEOUT_MS)])
  let wake = (): void => {}
  const watcher = watch(entry, () => wake())
  try {
    while (true) {
      // armed before the check, so a change between the check and the wait still wakes it
      const woken = new Promise<void>((resolve) => {
        wake = resolve
        limit.addEventListener('abort', () => resolve(), { once: true })
      })
      if (await exists(outblob)) return
      if (signal.aborted) return
      if (limit.aborted) {
        throw new TsmReportFailedError(`configfs-tsm entry ${entry} has no outblob`, {
          path: entry,
          details: `The kernel fills a report entry at mkdir; this one stayed empty for ${ENTRY_POPULATE_TIMEOUT_MS} ms, so the report root is not a configfs-tsm report directory.`,
        })
      }
      await woken
    }
  } finally {
    watcher.close()
  }
}

/** Whether `path` exists; any failure but ENOENT is thrown. */
async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
}

async function removeEntry(entry: string, log: Logger): Promise<void> {
  try {
    await rmdir(entry)
  } catch (error) {
    // The quote is already read; a left-over entry only holds the report data we wrote.
    log.error('could not remove configfs-tsm entry %s: %s', entry, errorLine(error))
  }
}

function teeOfProvider(provider: string, path: string): TeeName {
  const tee = TSM_PROVIDERS[provider]
  if (tee === undefined) {
    throw new TsmUnknownProviderError(
      `configfs-tsm provider "${provider}" is not one this node can attest with`,
      {
        path,
        details: `Known providers: ${Object.keys(TSM_PROVIDERS).join(', ')}.`,
      },
    )
  }
  return tee
}

async function readGeneration(entry: string, signal: AbortSignal): Promise<number> {
  const text = (await readAttribute(entry, 'generation', signal)).trim()
  const value = Number(text)
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new TsmReportFailedError(`configfs-tsm generation is "${text}", not a number`, {
      path: join(entry, 'generation'),
      details: 'The kernel writes a decimal counter here; the report directory is not a configfs-tsm tree.',
    })
  }
  return value
}

async function readAttribute(entry: string, name: string, signal: AbortSignal): Promise<string> {
  return new TextDecoder().decode(await readBlob(entry, name, signal))
}

async function readBlob(entry: string, name: string, signal: AbortSignal): Promise<Uint8Array> {
  const path = join(entry, name)
  try {
    return new Uint8Array(await readFile(path, { signal }))
  } catch (error) {
    if (signal.aborted) throw error
    throw new TsmReportFailedError(`could not read configfs-tsm ${name}: ${errorMessage(error)}`, {
      path,
      cause: error,
      details:
        name === 'outblob'
          ? 'The TEE refused to produce a quote (for TDX, check that the host runs a quote generation service).'
          : 'The report entry is incomplete: the report directory is not a configfs-tsm tree.',
    })
  }
}

async function readOptionalBlob(
  entry: string,
  name: string,
  signal: AbortSignal,
): Promise<Uint8Array | undefined> {
  try {
    await access(join(entry, name))
  } catch {
    return undefined
  }
  const blob = await readBlob(entry, name, signal)
  return blob.byteLength === 0 ? undefined : blob
}

async function writeAttribute(
  entry: string,
  name: string,
  value: Uint8Array | string,
  signal: AbortSignal,
): Promise<void> {
  const path = join(entry, name)
  try {
    await writeFile(path, value, { signal })
  } catch (error) {
    if (signal.aborted) throw error
    throw new TsmReportFailedError(`could not write configfs-tsm ${name}: ${errorMessage(error)}`, {
      path,
      cause: error,
      details: `The kernel refused the value for ${name}.`,
    })
  }
}
