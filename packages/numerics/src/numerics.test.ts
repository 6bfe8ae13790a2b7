import { describe, expect, it } from 'vitest'
import {
  blockTriangularize,
  dulmageMendelsohn,
  luFactor,
  luSolve,
  maximumMatching,
  newton,
  solveDense,
} from './index.ts'

describe('dense LU with partial pivoting', () => {
  it('solves a system that needs pivoting', () => {
    // A = [[0,2,1],[1,1,1],[2,1,0]], x = [1,2,3] -> b = [7,6,4]
    const x = solveDense([0, 2, 1, 1, 1, 1, 2, 1, 0], [7, 6, 4], 3)
    expect(x).not.toBeNull()
    expect(Array.from(x as Float64Array).map((v) => +v.toFixed(12))).toEqual([1, 2, 3])
  })
  it('flags a singular matrix and the failing column', () => {
    const f = luFactor(Float64Array.from([1, 2, 2, 4]), 2)
    expect(f.ok).toBe(false)
    expect(f.singularAt).toBe(1)
  })
  it('reuses factors for several right-hand sides', () => {
    const f = luFactor(Float64Array.from([4, 1, 1, 3]), 2)
    const a = luSolve(f, [1, 2])
    expect(4 * a[0] + a[1]).toBeCloseTo(1, 14)
    expect(a[0] + 3 * a[1]).toBeCloseTo(2, 14)
  })
})

describe('newton', () => {
  it('converges quadratically on a 2x2 nonlinear system', () => {
    // x^2 + y^2 = 4, x*y = 1 (root near x=1.93, y=0.517)
    const res = newton(
      {
        n: 2,
        evaluate(x, r, J) {
          r[0] = x[0] * x[0] + x[1] * x[1] - 4
          r[1] = x[0] * x[1] - 1
          if (J) {
            J[0] = 2 * x[0]
            J[1] = 2 * x[1]
            J[2] = x[1]
            J[3] = x[0]
          }
        },
      },
      [2, 0.3],
    )
    expect(res.converged).toBe(true)
    expect(res.iterations).toBeLessThan(8)
    expect(res.x[0] * res.x[1]).toBeCloseTo(1, 12)
  })
  it('respects bounds (picks the positive root of x^2 = 2 from a negative-leaning start)', () => {
    const res = newton(
      {
        n: 1,
        evaluate(x, r, J) {
          r[0] = x[0] * x[0] - 2
          if (J) J[0] = 2 * x[0]
        },
      },
      [0.1],
      { lower: [1e-3] },
    )
    expect(res.converged).toBe(true)
    expect(res.x[0]).toBeCloseTo(Math.SQRT2, 10)
  })
  it('returns a result object, never throws, on a singular Jacobian', () => {
    const res = newton(
      {
        n: 2,
        evaluate(x, r, J) {
          r[0] = x[0] + x[1] - 1
          r[1] = 2 * x[0] + 2 * x[1] - 3
          if (J) J.set([1, 1, 2, 2])
        },
      },
      [0, 0],
    )
    expect(res.converged).toBe(false)
    expect(res.reason).toBe('singular')
  })
  it('takes a Levenberg-Marquardt step through a rank-deficient start', () => {
    // x0 x1 = 1, x1 = 2 from (0, 0): the first Jacobian [[0, 0], [0, 1]] is singular
    const res = newton(
      {
        n: 2,
        evaluate(x, r, J) {
          r[0] = x[0] * x[1] - 1
          r[1] = x[1] - 2
          if (J) J.set([x[1], x[0], 0, 1])
        },
      },
      [0, 0],
    )
    expect(res.converged).toBe(true)
    expect(res.x[0]).toBeCloseTo(0.5, 10)
  })
  it('backtracks away from points where evaluation throws', () => {
    // log(x) = 1 starting far: the full step would go negative
    const res = newton(
      {
        n: 1,
        evaluate(x, r, J) {
          if (x[0] <= 0) throw new Error('domain')
          r[0] = Math.log(x[0]) - 1
          if (J) J[0] = 1 / x[0]
        },
      },
      [20],
    )
    expect(res.converged).toBe(true)
    expect(res.x[0]).toBeCloseTo(Math.E, 10)
  })
})

describe('structural analysis', () => {
  it('finds a perfect matching where greedy alone fails', () => {
    // rows: r0 {0,1}, r1 {0}: greedy matches r0-0, augmenting moves r0 to 1
    const m = maximumMatching([[0, 1], [0]], 2)
    expect(m.size).toBe(2)
    expect(m.rowMatch[1]).toBe(0)
    expect(m.rowMatch[0]).toBe(1)
  })
  it('DM: names the over-determined equations and the under-determined variables', () => {
    // e0: x0 ; e1: x0 (conflict) ; e2: x1 + x2 (one of x1, x2 free)
    const dm = dulmageMendelsohn([[0], [0], [1, 2]], 3)
    expect(dm.unmatchedRows.length).toBe(1)
    expect(dm.overRows).toEqual([0, 1])
    expect(dm.overCols).toEqual([0])
    expect(dm.underCols).toEqual([1, 2])
    expect(dm.squareRows).toEqual([])
  })
  it('DM: a square but structurally singular system has both parts', () => {
    // flow fixed at both ends of a unit: e0: F1 = a, e1: F2 = b, e2: F1 - F2 = 0, h free: e3 uses F1,F2,h? no: h unused
    const dm = dulmageMendelsohn([[0], [1], [0, 1]], 3)
    expect(dm.unmatchedRows.length).toBe(1)
    expect(dm.unmatchedCols).toEqual([2])
  })
  it('block triangularisation orders blocks so that each only needs earlier ones', () => {
    // e0: x0 = 1 ; e1: x1 + x2 (uses x0) ; e2: x2 - x1 (cycle with e1) ; e3: x3 (uses x2)
    const rows = [[0], [0, 1, 2], [1, 2], [2, 3]]
    const m = maximumMatching(rows, 4)
    expect(m.size).toBe(4)
    const blocks = blockTriangularize(rows, m.rowMatch, m.colMatch)
    expect(blocks.map((b) => b.rows.length)).toEqual([1, 2, 1])
    expect(blocks[0].rows).toEqual([0])
    expect(blocks[1].rows).toEqual([1, 2])
    expect(blocks[2].rows).toEqual([3])
  })
})
