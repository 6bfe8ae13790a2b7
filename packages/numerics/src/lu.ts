/**
 * Dense LU factorisation with partial (row) pivoting, in place, row-major storage.
 * Golub & Van Loan, "Matrix Computations", 4th ed., algorithm 3.4.1 (Gaussian elimination with
 * partial pivoting). Used for the Newton steps of the diagonal blocks of a block-triangularised
 * flowsheet system, which are small (a recycle loop rarely exceeds a few hundred unknowns).
 */
export interface LuFactors {
  n: number
  /** L (unit lower, below the diagonal) and U (upper) packed in one row-major array */
  a: Float64Array
  /** row permutation: row i of PA is row piv[i] of A */
  piv: Int32Array
  /** false when a pivot was (numerically) zero: the matrix is singular */
  ok: boolean
  /** index of the first zero pivot column, or -1 */
  singularAt: number
}

/**
 * Factorise the n-by-n matrix `a` (row-major, overwritten) as PA = LU.
 * @param a - matrix, row-major, length n*n (overwritten by the factors)
 * @param n - order
 * @param tol - a pivot with |p| <= tol * (largest entry of A) counts as zero
 */
export function luFactor(a: Float64Array, n: number, tol = 1e-14): LuFactors {
  const piv = new Int32Array(n)
  for (let i = 0; i < n; i++) piv[i] = i
  let amax = 0
  for (let i = 0; i < n * n; i++) {
    const v = Math.abs(a[i])
    if (v > amax) amax = v
  }
  const thresh = tol * (amax || 1)
  let ok = true
  let singularAt = -1
  for (let k = 0; k < n; k++) {
    let p = k
    let best = Math.abs(a[k * n + k])
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k])
      if (v > best) {
        best = v
        p = i
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]
        a[k * n + j] = a[p * n + j]
        a[p * n + j] = t
      }
      const t = piv[k]
      piv[k] = piv[p]
      piv[p] = t
    }
    const d = a[k * n + k]
    if (!(Math.abs(d) > thresh)) {
      if (ok) singularAt = k
      ok = false
      continue
    }
    for (let i = k + 1; i < n; i++) {
      const f = a[i * n + k] / d
      if (f === 0) continue
      a[i * n + k] = f
      for (let j = k + 1; j < n; j++) a[i * n + j] -= f * a[k * n + j]
    }
  }
  return { n, a, piv, ok, singularAt }
}

/** Solve A x = b with the factors of `luFactor`; returns a new array. */
export function luSolve(f: LuFactors, b: ArrayLike<number>): Float64Array {
  const { n, a, piv } = f
  const x = new Float64Array(n)
  for (let i = 0; i < n; i++) x[i] = b[piv[i]]
  for (let i = 0; i < n; i++) {
    let s = x[i]
    for (let j = 0; j < i; j++) s -= a[i * n + j] * x[j]
    x[i] = s
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]
    for (let j = i + 1; j < n; j++) s -= a[i * n + j] * x[j]
    const d = a[i * n + i]
    x[i] = d === 0 ? 0 : s / d
  }
  return x
}

/** Convenience: solve the dense system A x = b (A row-major; A is copied). */
export function solveDense(
  A: ArrayLike<number>,
  b: ArrayLike<number>,
  n: number,
): Float64Array | null {
  const f = luFactor(Float64Array.from(A), n)
  if (!f.ok) return null
  return luSolve(f, b)
}
