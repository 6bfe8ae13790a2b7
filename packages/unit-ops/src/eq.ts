import type { Equation, EquationSystem, Stream } from './system.ts'

export interface Owner {
  unitId: number | null
  unitName: string
}

/** Equality x[a] - x[b] = 0 of two variables (same unit), e.g. outlet pressure = inlet pressure. */
export function equal(
  owner: Owner,
  name: string,
  a: number,
  b: number,
  scale: number,
  unit: string,
  kind: Equation['kind'] = 'unit',
): Equation {
  return linear(
    owner,
    name,
    [
      [1, a],
      [-1, b],
    ],
    0,
    scale,
    unit,
    kind,
  )
}

/** Linear equation sum_k c_k x[v_k] + c0 = 0 (exact gradient = coefficients). */
export function linear(
  owner: Owner,
  name: string,
  terms: [number, number][],
  c0: number,
  scale: number,
  unit: string,
  kind: Equation['kind'] = 'unit',
): Equation {
  const vars = terms.map((t) => t[1])
  const coefs = terms.map((t) => t[0])
  return {
    unitId: owner.unitId,
    unitName: owner.unitName,
    name,
    unit,
    scale,
    vars,
    kind,
    f(x, g) {
      let r = c0
      for (let k = 0; k < vars.length; k++) r += coefs[k] * x[vars[k]]
      if (g) for (let k = 0; k < vars.length; k++) g[k] = coefs[k]
      return r
    },
  }
}

/** Mass balance: sum F_in - sum F_out = 0 [mol/s]. */
export function massBalance(owner: Owner, ins: Stream[], outs: Stream[], scale = 1): Equation {
  return linear(
    owner,
    'mass balance: sum of inlet flows = sum of outlet flows',
    [
      ...ins.map((s) => [1, s.F] as [number, number]),
      ...outs.map((s) => [-1, s.F] as [number, number]),
    ],
    0,
    scale,
    'mol/s',
    'balance',
  )
}

/**
 * Energy balance: sum F_in h_in + sum(extra) - sum F_out h_out = 0 [W], `extra` are work or heat
 * variables (positive into the fluid).
 */
export function energyBalance(
  owner: Owner,
  ins: Stream[],
  outs: Stream[],
  extra: number[],
  scale = 1e3,
): Equation {
  const vars: number[] = []
  for (const s of ins) vars.push(s.F, s.h)
  for (const s of outs) vars.push(s.F, s.h)
  for (const e of extra) vars.push(e)
  const nIn = ins.length
  const nOut = outs.length
  return {
    unitId: owner.unitId,
    unitName: owner.unitName,
    name: 'energy balance: sum F_in h_in + work + heat = sum F_out h_out',
    unit: 'W',
    scale,
    vars,
    kind: 'balance',
    f(x, g) {
      let r = 0
      let k = 0
      for (let i = 0; i < nIn; i++, k += 2) {
        const F = x[vars[k]]
        const h = x[vars[k + 1]]
        r += F * h
        if (g) {
          g[k] = h
          g[k + 1] = F
        }
      }
      for (let i = 0; i < nOut; i++, k += 2) {
        const F = x[vars[k]]
        const h = x[vars[k + 1]]
        r -= F * h
        if (g) {
          g[k] = -h
          g[k + 1] = -F
        }
      }
      for (; k < vars.length; k++) {
        r += x[vars[k]]
        if (g) g[k] = 1
      }
      return r
    },
  }
}

/** a - b * c = 0 (bilinear), e.g. work_fluid = efficiency * work_mechanical. */
export function bilinear(
  owner: Owner,
  name: string,
  a: number,
  b: number,
  c: number,
  scale: number,
  unit: string,
): Equation {
  return {
    unitId: owner.unitId,
    unitName: owner.unitName,
    name,
    unit,
    scale,
    vars: [a, b, c],
    kind: 'unit',
    f(x, g) {
      const vb = x[b]
      const vc = x[c]
      if (g) {
        g[0] = 1
        g[1] = -vc
        g[2] = -vb
      }
      return x[a] - vb * vc
    },
  }
}

/** Register several equations. */
export function addAll(sys: EquationSystem, eqs: Equation[]): void {
  for (const e of eqs) sys.addEq(e)
}

/** The same equation under another name (for units with several balances). */
export function named(e: Equation, name: string): Equation {
  e.name = name
  return e
}
