import type { Tensor } from '@cocoon-mesh/gpu-runtime'

/** A float32 matrix of small integers: every product sum is exact in float32. */
export function matrix(name: string, rows: number, cols: number, seed: number): Tensor {
  const v = new Float32Array(rows * cols)
  for (let i = 0; i < v.length; i++) v[i] = ((i * 7 + seed * 13) % 11) - 5
  return { name, dtype: 'float32', shape: [rows, cols], data: new Uint8Array(v.buffer) }
}

const floatViews = new WeakMap<Tensor, Float32Array>()

/** The float32 values of a tensor (copied once: the bytes may not be 4-byte aligned). */
export function floats(t: Tensor | undefined): Float32Array {
  if (t === undefined) throw new Error('missing output tensor')
  let view = floatViews.get(t)
  if (view === undefined) {
    view = new Float32Array(t.data.slice().buffer)
    floatViews.set(t, view)
  }
  return view
}

/** (A x B)[i][j] in JavaScript. */
export function dot(a: Tensor, b: Tensor, i: number, j: number): number {
  const [, k = 0] = a.shape
  const [, n = 0] = b.shape
  const av = floats(a)
  const bv = floats(b)
  let sum = 0
  for (let x = 0; x < k; x++) sum += (av[i * k + x] as number) * (bv[x * n + j] as number)
  return sum
}

/** A x B in JavaScript. */
export function matmul(a: Tensor, b: Tensor): Float32Array {
  const [m = 0] = a.shape
  const [, n = 0] = b.shape
  const out = new Float32Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] = dot(a, b, i, j)
  return out
}
