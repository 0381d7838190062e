/**
 * A binary min-heap of events kept in parallel typed arrays: no object per
 * event, no closure per event. Events with equal times come out in the order
 * they were scheduled (a sequence number breaks ties), which is what makes a
 * run reproducible.
 */
export class EventQueue {
  #time: Float64Array
  #seq: Float64Array
  #kind: Uint8Array
  #a: Int32Array
  #b: Int32Array
  #size = 0
  #nextSeq = 0

  constructor(initialCapacity = 1024) {
    const n = Math.max(16, initialCapacity)
    this.#time = new Float64Array(n)
    this.#seq = new Float64Array(n)
    this.#kind = new Uint8Array(n)
    this.#a = new Int32Array(n)
    this.#b = new Int32Array(n)
  }

  get size(): number {
    return this.#size
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.#size === 0 ? Number.POSITIVE_INFINITY : (this.#time[0] as number)
  }

  push(time: number, kind: number, a: number, b: number): void {
    if (this.#size === this.#time.length) this.#grow()
    let i = this.#size++
    const seq = this.#nextSeq++
    const T = this.#time
    const S = this.#seq
    // sift up
    while (i > 0) {
      const p = (i - 1) >> 1
      const pt = T[p] as number
      if (pt < time || (pt === time && (S[p] as number) < seq)) break
      this.#move(p, i)
      i = p
    }
    T[i] = time
    S[i] = seq
    this.#kind[i] = kind
    this.#a[i] = a
    this.#b[i] = b
  }

  /** Removes the earliest event into `out` (time, kind, a, b); false when empty. */
  pop(out: PoppedEvent): boolean {
    if (this.#size === 0) return false
    out.time = this.#time[0] as number
    out.kind = this.#kind[0] as number
    out.a = this.#a[0] as number
    out.b = this.#b[0] as number
    const last = --this.#size
    if (last === 0) return true
    const T = this.#time
    const S = this.#seq
    const time = T[last] as number
    const seq = S[last] as number
    const kind = this.#kind[last] as number
    const a = this.#a[last] as number
    const b = this.#b[last] as number
    let i = 0
    const half = last >> 1
    while (i < half) {
      let c = 2 * i + 1
      const r = c + 1
      if (r < last) {
        const ct = T[c] as number
        const rt = T[r] as number
        if (rt < ct || (rt === ct && (S[r] as number) < (S[c] as number))) c = r
      }
      const ct = T[c] as number
      if (time < ct || (time === ct && seq < (S[c] as number))) break
      this.#move(c, i)
      i = c
    }
    T[i] = time
    S[i] = seq
    this.#kind[i] = kind
    this.#a[i] = a
    this.#b[i] = b
    return true
  }

  #move(from: number, to: number): void {
    this.#time[to] = this.#time[from] as number
    this.#seq[to] = this.#seq[from] as number
    this.#kind[to] = this.#kind[from] as number
    this.#a[to] = this.#a[from] as number
    this.#b[to] = this.#b[from] as number
  }

  #grow(): void {
    const n = this.#time.length * 2
    const grow = <T extends Float64Array | Uint8Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(n)
      next.set(old as never)
      return next
    }
    this.#time = grow(this.#time, (k) => new Float64Array(k))
    this.#seq = grow(this.#seq, (k) => new Float64Array(k))
    this.#kind = grow(this.#kind, (k) => new Uint8Array(k))
    this.#a = grow(this.#a, (k) => new Int32Array(k))
    this.#b = grow(this.#b, (k) => new Int32Array(k))
  }
}

export interface PoppedEvent {
  time: number
  kind: number
  a: number
  b: number
}
