import { luFactor, luSolve } from './lu.ts'

/**
 * A square nonlinear system F(x) = 0 with an exact Jacobian.
 * `evaluate` fills r (length n) and, when J is given, the dense row-major Jacobian J (n*n, zeroed
 * by the caller). It may throw (e.g. a property call out of range): Newton treats that point as
 * infeasible and backtracks.
 */
export interface NonlinearSystem {
  n: number
  evaluate(x: Float64Array, r: Float64Array, J: Float64Array | null): void
}

export interface NewtonOptions {
  /** convergence: max_i |r_i| * rowScale_i <= tol (default 1e-10) */
  tol?: number
  maxIter?: number
  /** multiplies each residual (1 / its characteristic magnitude); default 1 */
  rowScale?: ArrayLike<number>
  /** box bounds on x (projected steps); default unbounded */
  lower?: ArrayLike<number>
  upper?: ArrayLike<number>
  /** epoch ms: stop with reason 'timeout' past it */
  deadline?: number
  /** smallest line-search step before giving up (default 1e-10) */
  minStep?: number
}

export type NewtonReason =
  'converged' | 'max_iterations' | 'singular' | 'line_search' | 'non_finite' | 'timeout'

export interface NewtonResult {
  converged: boolean
  reason: NewtonReason
  x: Float64Array
  /** unscaled residuals at x */
  residual: Float64Array
  /** max_i |r_i| * rowScale_i at x */
  residualNorm: number
  iterations: number
  /** row of the first zero pivot when reason is 'singular' */
  singularRow?: number
}

function scaledNorms(r: Float64Array, s: ArrayLike<number> | undefined): [number, number] {
  let inf = 0
  let sq = 0
  for (let i = 0; i < r.length; i++) {
    const v = r[i] * (s ? s[i] : 1)
    if (!Number.isFinite(v)) return [Infinity, Infinity]
    const a = Math.abs(v)
    if (a > inf) inf = a
    sq += v * v
  }
  return [inf, 0.5 * sq]
}

function safeEval(sys: NonlinearSystem, x: Float64Array, r: Float64Array, J: Float64Array | null) {
  try {
    if (J) J.fill(0)
    sys.evaluate(x, r, J)
    return true
  } catch {
    r.fill(NaN)
    return false
  }
}

/**
 * Newton's method with a backtracking (Armijo) line search on the scaled residual norm,
 * row scaling and projection onto variable bounds (Dennis & Schnabel, "Numerical Methods for
 * Unconstrained Optimization and Nonlinear Equations", algorithm 6.3.5). Never throws: returns a
 * result object; higher layers decide what to report.
 */
export function newton(
  sys: NonlinearSystem,
  x0: ArrayLike<number>,
  opts: NewtonOptions = {},
): NewtonResult {
  const n = sys.n
  const tol = opts.tol ?? 1e-10
  const maxIter = opts.maxIter ?? 50
  const minStep = opts.minStep ?? 1e-10
  const s = opts.rowScale
  const lo = opts.lower
  const hi = opts.upper
  const x = Float64Array.from(x0)
  const r = new Float64Array(n)
  const J = new Float64Array(n * n)
  const Jc = new Float64Array(n * n)
  const xt = new Float64Array(n)
  const rt = new Float64Array(n)
  const project = (v: Float64Array) => {
    if (!lo && !hi) return
    for (let i = 0; i < n; i++) {
      if (lo && v[i] < lo[i]) v[i] = lo[i]
      if (hi && v[i] > hi[i]) v[i] = hi[i]
    }
  }
  project(x)
  const result = (
    reason: NewtonReason,
    it: number,
    norm: number,
    singularRow?: number,
  ): NewtonResult => {
    const out: NewtonResult = {
      converged: reason === 'converged',
      reason,
      x,
      residual: r,
      residualNorm: norm,
      iterations: it,
    }
    if (singularRow !== undefined) out.singularRow = singularRow
    return out
  }
  if (!safeEval(sys, x, r, J)) return result('non_finite', 0, Infinity)
  let [norm, phi] = scaledNorms(r, s)
  if (!Number.isFinite(norm)) return result('non_finite', 0, norm)
  for (let it = 0; it < maxIter; it++) {
    if (norm <= tol) return result('converged', it, norm)
    if (opts.deadline !== undefined && Date.now() > opts.deadline)
      return result('timeout', it, norm)
    // scale rows of J and r
    const b = new Float64Array(n)
    if (s) {
      for (let i = 0; i < n; i++) {
        const si = s[i]
        b[i] = -r[i] * si
        for (let j = 0; j < n; j++) J[i * n + j] *= si
      }
    } else for (let i = 0; i < n; i++) b[i] = -r[i]
    Jc.set(J)
    const f = luFactor(J, n)
    let dx: Float64Array
    let lm = false
    if (f.ok) dx = luSolve(f, b)
    else {
      // rank-deficient Jacobian: a Levenberg-Marquardt step (J'J + mu I) dx = J'b still reduces
      // the residual along the directions J can see; if it does not, report 'singular'
      const A = new Float64Array(n * n)
      const g = new Float64Array(n)
      let dmax = 0
      for (let i = 0; i < n; i++)
        for (let k = 0; k < n; k++) {
          const jk = Jc[k * n + i]
          if (jk === 0) continue
          g[i] += jk * b[k]
          for (let j = 0; j < n; j++) A[i * n + j] += jk * Jc[k * n + j]
        }
      for (let i = 0; i < n; i++) dmax = Math.max(dmax, A[i * n + i])
      const mu = 1e-8 * dmax + 1e-300
      for (let i = 0; i < n; i++) A[i * n + i] += mu
      const fa = luFactor(A, n, 0)
      if (!fa.ok) return result('singular', it, norm, f.singularAt)
      dx = luSolve(fa, g)
      lm = true
    }
    let alpha = 1
    let accepted = false
    for (;;) {
      for (let i = 0; i < n; i++) xt[i] = x[i] + alpha * dx[i]
      project(xt)
      const ok = safeEval(sys, xt, rt, null)
      if (ok) {
        const [nt, phit] = scaledNorms(rt, s)
        if (Number.isFinite(nt) && (phit <= (1 - 1e-4 * alpha) * phi || nt <= tol)) {
          accepted = true
          break
        }
      }
      alpha *= 0.5
      if (alpha < minStep) break
    }
    if (!accepted) {
      // recompute r at x for the report
      safeEval(sys, x, r, null)
      return lm ? result('singular', it, norm, f.singularAt) : result('line_search', it, norm)
    }
    x.set(xt)
    if (!safeEval(sys, x, r, J)) return result('non_finite', it + 1, Infinity)
    ;[norm, phi] = scaledNorms(r, s)
  }
  if (norm <= tol) return result('converged', maxIter, norm)
  return result('max_iterations', maxIter, norm)
}
