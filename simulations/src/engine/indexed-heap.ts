/**
 * A binary min-heap over the integers 0..n-1, each held at most once with a
 * time: the priority queue of Dijkstra's algorithm, where a better time moves
 * an entry up instead of adding a second one, so the heap never holds more
 * than n entries and every pop is a settled one. Equal times come out lowest
 * index first, which keeps a run reproducible.
 */
export class IndexedHeap {
  /** Each index's best time so far (Infinity until offered). */
  readonly time: Float64Array
  #heap: Int32Array
  /** Position in #heap plus one; 0 while absent. */
  #pos: Int32Array
  #size = 0

  constructor(n: number) {
    this.time = new Float64Array(n).fill(Number.POSITIVE_INFINITY)
    this.#heap = new Int32Array(n)
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
    this.#siftUp(i, at)
    return true
  }

  /** The index with the earliest time, left in place; -1 when empty. */
  peek(): number {
    return this.#size === 0 ? -1 : (this.#heap[0] as number)
  }

  /** Removes the index with the earliest time and returns it; -1 when empty. */
  pop(): number {
    if (this.#size === 0) return -1
    const H = this.#heap
    const top = H[0] as number
    this.#pos[top] = 0
    const last = --this.#size
    if (last > 0) this.#siftDown(H[last] as number, 0, last)
    return top
  }

  #before(a: number, b: number): boolean {
    const ta = this.time[a] as number
    const tb = this.time[b] as number
    return ta < tb || (ta === tb && a < b)
  }

  #siftUp(i: number, from: number): void {
    const H = this.#heap
    let at = from
    while (at > 0) {
      const p = (at - 1) >> 1
      const parent = H[p] as number
      if (!this.#before(i, parent)) break
      this.#place(parent, at)
      at = p
    }
    this.#place(i, at)
  }

  #siftDown(i: number, from: number, size: number): void {
    const H = this.#heap
    let at = from
    for (;;) {
      let c = 2 * at + 1
      if (c >= size) break
      if (c + 1 < size && this.#before(H[c + 1] as number, H[c] as number)) c++
      const child = H[c] as number
      if (!this.#before(child, i)) break
      this.#place(child, at)
      at = c
    }
    this.#place(i, at)
  }

  #place(i: number, at: number): void {
    this.#heap[at] = i
    this.#pos[i] = at + 1
  }
}
