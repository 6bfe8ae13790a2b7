import { blockTriangularize, newton, type NewtonResult } from '@rere/numerics'
import type { EquationSystem } from '@rere/unit-ops'
import type { Structure } from './structure.ts'

export interface BlockSolveResult {
  converged: boolean
  reason: string
  iterations: number
  blocks: number
  largestBlock: number
  /** the failing block's equations when not converged */
  failedRows: number[]
  result: NewtonResult | null
}

/** Residual scale of each equation at x: max(eq.scale, sum_k |dr/dx_k| max(|x_k|, scale_k)). */
export function rowScales(sys: EquationSystem, rows: number[], x: Float64Array): Float64Array {
  const out = new Float64Array(rows.length)
  let g = new Float64Array(8)
  rows.forEach((r, i) => {
    const e = sys.eqs[r]
    if (g.length < e.vars.length) g = new Float64Array(e.vars.length)
    let m = e.scale
    try {
      e.f(x, g)
      let s = 0
      for (let k = 0; k < e.vars.length; k++) {
        const v = sys.vars[e.vars[k]]
        s += Math.abs(g[k]) * Math.max(Math.abs(x[e.vars[k]]), v.scale * 1e-3)
      }
      if (Number.isFinite(s) && s > m) m = s
    } catch {
      /* keep eq.scale */
    }
    out[i] = 1 / m
  })
  return out
}

/**
 * Solve the square system block by block in block-triangular order (each block with Newton on
 * its own unknowns, exact Jacobian assembled from the equations' sparse gradients).
 */
export function solveBlocks(
  sys: EquationSystem,
  st: Structure,
  x: Float64Array,
  opts: { deadline?: number; tol?: number; maxIter?: number } = {},
): BlockSolveResult {
  const m = st.dm.matching
  st.blocks ??= blockTriangularize(st.rows, m.rowMatch, m.colMatch)
  const blocks = st.blocks
  let iterations = 0
  let largest = 0
  for (const blk of blocks) {
    const n = blk.rows.length
    if (n > largest) largest = n
    const varIdx = blk.cols.map((c) => st.cols[c])
    const local = new Map<number, number>()
    varIdx.forEach((v, i) => local.set(v, i))
    const eqs = blk.rows.map((r) => sys.eqs[r])
    const lower = varIdx.map((v) => sys.vars[v].lower)
    const upper = varIdx.map((v) => sys.vars[v].upper)
    const maxG = eqs.reduce((a, e) => Math.max(a, e.vars.length), 0)
    const g = new Float64Array(maxG)
    const evaluate = (xb: Float64Array, r: Float64Array, J: Float64Array | null) => {
      for (let i = 0; i < n; i++) x[varIdx[i]] = xb[i]
      for (let i = 0; i < n; i++) {
        const e = eqs[i]
        if (J) {
          g.fill(0, 0, e.vars.length)
          r[i] = e.f(x, g)
          for (let k = 0; k < e.vars.length; k++) {
            const c = local.get(e.vars[k])
            if (c !== undefined) J[i * n + c] += g[k]
          }
        } else r[i] = e.f(x, null)
      }
    }
    const x0 = Float64Array.from(varIdx, (v) => x[v])
    const scale = rowScales(sys, blk.rows, x)
    const res = newton({ n, evaluate }, x0, {
      rowScale: scale,
      lower,
      upper,
      deadline: opts.deadline,
      tol: opts.tol ?? 1e-11,
      maxIter: opts.maxIter ?? 60,
    })
    iterations += res.iterations
    for (let i = 0; i < n; i++) x[varIdx[i]] = res.x[i]
    if (!res.converged) {
      return {
        converged: false,
        reason: res.reason,
        iterations,
        blocks: blocks.length,
        largestBlock: largest,
        failedRows: blk.rows,
        result: res,
      }
    }
  }
  return {
    converged: true,
    reason: 'converged',
    iterations,
    blocks: blocks.length,
    largestBlock: largest,
    failedRows: [],
    result: null,
  }
}
