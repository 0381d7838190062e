import type { Timers } from '@cocoon-mesh/protocol'

/**
 * The process's timers, unref'd: a pending write-off of unpaid work (see
 * {@link ChannelCredit.writeOff}) never keeps the process alive.
 */
export const unrefTimers: Timers = {
  schedule(fn, ms) {
    const timer = setTimeout(fn, ms)
    timer.unref()
    return () => clearTimeout(timer)
  },
}

/**
 * One channel's credit across its jobs in this process: work granted by
 * `reserve` or billed by `finish` against what accepted vouchers credited.
 */
export class ChannelCredit {
  /** nanoTON of work granted or billed on the channel. */
  billed = 0n
  /** nanoTON accepted vouchers credited, never above `billed` (a surplus pays work from before a restart). */
  covered = 0n
  /** Sessions open on the channel; the entry is dropped when the last one closes with nothing unpaid. */
  sessions = 0
  /** Reserve calls waiting for a voucher, across the channel's jobs; each checks its own cost. */
  readonly waiters = new Set<() => void>()

  constructor(readonly window: bigint) {}

  get unpaid(): bigint {
    return this.billed - this.covered
  }

  /** Whether `more` nanoTON of work fits in the window. */
  fits(more: bigint): boolean {
    return more <= 0n || this.unpaid + more <= this.window
  }

  bill(more: bigint): void {
    if (more > 0n) this.billed += more
  }

  credit(amount: bigint): void {
    this.covered += amount
    if (this.covered > this.billed) this.covered = this.billed
    this.wake()
  }

  /** Forgets up to `amount` of unpaid work (an ended job's, whose voucher never came). */
  writeOff(amount: bigint): void {
    this.billed -= amount < this.unpaid ? amount : this.unpaid
    this.wake()
  }

  private wake(): void {
    for (const check of [...this.waiters]) check()
  }
}

/** The channels' credit, by raw channel key; bounded by the channels with open jobs or unpaid work. */
export class ChannelCredits {
  readonly #channels = new Map<string, ChannelCredit>()

  constructor(private readonly window: bigint) {}

  open(channel: string): { credit: ChannelCredit; close: () => void } {
    let credit = this.#channels.get(channel)
    if (credit === undefined) {
      credit = new ChannelCredit(this.window)
      this.#channels.set(channel, credit)
    }
    credit.sessions++
    const entry = credit
    let closed = false
    return {
      credit: entry,
      close: () => {
        if (closed) return
        closed = true
        entry.sessions--
        if (entry.sessions === 0 && entry.unpaid === 0n) this.#channels.delete(channel)
      },
    }
  }
}
