/**
 * A 4-ary min-heap over the integers 0..n-1, each held at most once with a
 * time: the priority queue of Dijkstra's algorithm, where a better time moves
 * an entry up instead of adding a second one, so the heap never holds more
 * than n entries and every pop is a settled one. Equal times come out lowest
 * index first: (time, index) is a total order, so the pops come out the
 * same whatever the heap's shape, which keeps a run reproducible.
 *
 * Each slot keeps its entry's time beside its index, so a sift compares
 * neighbouring slots instead of reading the time of every index it meets
 * (over a million peers those reads miss the cache), and four children share
 * a cache line where two levels of a binary heap would not.
 */
export class IndexedHeap {
  /** Each index's best time so far (Infinity until offered). */
  readonly time: Float64Array
  /** The index in each heap slot, and its time. */
  #index: Int32Array
  #key: Float64Array
  /** Slot in the heap plus one; 0 while absent. */
  #pos: Int32Array
  #size = 0

  constructor(n: number) {
    this.time = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
    this.#index = new Int32Array(n)
    this.#key = new Float64Array(n)
    this.#pos = new Int32Array(n)
  }

  get size(): number {
    return this.#size
  }

  /**
   * Lowers `i`'s time to `t` when `t` is earlier than its time so far, adding
   * it if absent; true when it did. An index once popped must not be offered
   * again (its time is final).
   */
  offer(i: number, t: number): boolean {
    if (!(t < (this.time[i] as number))) return false
    this.time[i] = t
    let at = (this.#pos[i] as number) - 1
    if (at < 0) at = this.#size++
    this.#siftUp(i, t, at)
    return true
  }

  /** The index with the earliest time, left in place; -1 when empty. */
  peek(): number {
    return this.#size === 0 ? -1 : (this.#index[0] as number)
  }

  /** Removes the index with the earliest time and returns it; -1 when empty. */
  pop(): number {
    if (this.#size === 0) return -1
    const top = this.#index[0] as number
    this.#pos[top] = 0
    const last = --this.#size
    if (last > 0) this.#siftDown(this.#index[last] as number, this.#key[last] as number, last)
    return top
  }

  #siftUp(i: number, t: number, from: number): void {
    const I = this.#index
    const K = this.#key
    let at = from
    while (at > 0) {
      const p = (at - 1) >> 2
      const pt = K[p] as number
      if (!(t < pt || (t === pt && i < (I[p] as number)))) break
      this.#place(I[p] as number, pt, at)
      at = p
    }
    this.#place(i, t, at)
  }

  /** Moves `i` (time `t`) down from the root of a heap of `size` slots. */
  #siftDown(i: number, t: number, size: number): void {
    const I = this.#index
    const K = this.#key
    let at = 0
    for (;;) {
      const first = 4 * at + 1
      if (first >= size) break
      const end = Math.min(first + 4, size)
      let c = first
      let ct = K[first] as number
      for (let k = first + 1; k < end; k++) {
        const kt = K[k] as number
        if (kt < ct || (kt === ct && (I[k] as number) < (I[c] as number))) {
          c = k
          ct = kt
        }
      }
      if (!(ct < t || (ct === t && (I[c] as number) < i))) break
      this.#place(I[c] as number, ct, at)
      at = c
    }
    this.#place(i, t, at)
  }

  #place(i: number, t: number, at: number): void {
    this.#index[at] = i
    this.#key[at] = t
    this.#pos[i] = at + 1
  }
}
