import type { PropsPH, ThermoPackage } from './thermo-types.ts'

/** One unknown of the flowsheet equation system (SI). */
export interface Variable {
  /** e.g. 'Pump-1.outlet.pressure', 'Pump-1.work_mechanical' */
  name: string
  /** IDAES property name: 'pressure', 'enth_mol', 'flow_mol', 'deltaP', 'heat_duty' ... */
  key: string
  value: number
  fixed: boolean
  lower: number
  upper: number
  /** characteristic magnitude (for scaling and relative tests) */
  scale: number
  /** owning unit (for diagnostics) */
  unitId: number | null
  unitName: string
  /** SI unit (pint spelling) */
  unit: string
  /** true when some spec or guess gave this variable its starting value */
  seeded: boolean
}

/**
 * One equation r(x) = 0. `f` returns the residual and, when `g` is given, writes
 * dr/dx[vars[k]] into g[k] (exact derivatives).
 */
export interface Equation {
  /** e.g. 'energy balance', 'outlet pressure = inlet pressure + deltaP' */
  name: string
  unitId: number | null
  unitName: string
  /** SI unit of the residual, for reports ('W', 'Pa', 'mol/s' ...) */
  unit: string
  /** characteristic magnitude of the residual: convergence uses |r| / scale */
  scale: number
  vars: number[]
  f(x: Float64Array, g: Float64Array | null): number
  /** the spec (property-value id) that created this equation, for diagnostics */
  specId?: number
  /** true for equations that can be dropped as redundant (mass balance of a closed loop) */
  kind?: 'balance' | 'spec' | 'arc' | 'unit' | 'constraint'
}

/** Variables of one material port: molar flow [mol/s], molar enthalpy [J/mol], pressure [Pa]. */
export interface Stream {
  F: number
  h: number
  P: number
  pkg: ThermoPackage
  /** cached (P,h) properties with derivatives at the current x */
  props(x: Float64Array): PropsPH
  name: string
}

/** Physical bounds (SI) used by Newton's projection. */
export const BOUNDS = {
  flow: [0, 1e9],
  pressure: [1, 1e9],
  enth: [-1e5, 2e5],
} as const

export class EquationSystem {
  vars: Variable[] = []
  eqs: Equation[] = []

  addVar(v: Partial<Variable> & { name: string; key: string; value: number }): number {
    this.vars.push({
      name: v.name,
      key: v.key,
      value: v.value,
      fixed: v.fixed ?? false,
      lower: v.lower ?? -Infinity,
      upper: v.upper ?? Infinity,
      scale: v.scale ?? Math.max(1, Math.abs(v.value)),
      unitId: v.unitId ?? null,
      unitName: v.unitName ?? '',
      unit: v.unit ?? '',
      seeded: v.seeded ?? false,
    })
    return this.vars.length - 1
  }

  addEq(e: Equation): number {
    this.eqs.push(e)
    return this.eqs.length - 1
  }

  values(): Float64Array {
    return Float64Array.from(this.vars, (v) => v.value)
  }

  /**
   * A material stream's three variables and a property cache: propsPH is called once per
   * (P, h) pair however many equations ask.
   */
  addStream(
    name: string,
    pkg: ThermoPackage,
    owner: { unitId: number | null; unitName: string },
    init: { F: number; h: number; P: number },
  ): Stream {
    const F = this.addVar({
      name: `${name}.flow_mol`,
      key: 'flow_mol',
      value: init.F,
      lower: BOUNDS.flow[0],
      upper: BOUNDS.flow[1],
      scale: 1,
      unit: 'mol/s',
      unitId: owner.unitId,
      unitName: owner.unitName,
    })
    const h = this.addVar({
      name: `${name}.enth_mol`,
      key: 'enth_mol',
      value: init.h,
      lower: BOUNDS.enth[0],
      upper: BOUNDS.enth[1],
      scale: 1e4,
      unit: 'J/mol',
      unitId: owner.unitId,
      unitName: owner.unitName,
    })
    const P = this.addVar({
      name: `${name}.pressure`,
      key: 'pressure',
      value: init.P,
      lower: Math.max(BOUNDS.pressure[0], pkg.bounds.Pmin),
      upper: Math.min(BOUNDS.pressure[1], pkg.bounds.Pmax),
      scale: 1e5,
      unit: 'Pa',
      unitId: owner.unitId,
      unitName: owner.unitName,
    })
    return makeStream(name, pkg, F, h, P)
  }
}

/** A stream view over existing variable indices (arcs share variables between two ports). */
export function makeStream(
  name: string,
  pkg: ThermoPackage,
  F: number,
  h: number,
  P: number,
): Stream {
  let lastP = NaN
  let lastH = NaN
  let last: PropsPH | null = null
  return {
    F,
    h,
    P,
    pkg,
    name,
    props(x: Float64Array): PropsPH {
      const p = x[P]
      const hh = x[h]
      if (last !== null && p === lastP && hh === lastH) return last
      last = pkg.propsPH(p, hh)
      lastP = p
      lastH = hh
      return last
    },
  }
}

/** Evaluate every equation: residuals r and (optionally) the sparse gradient rows. */
export function evaluateAll(sys: EquationSystem, x: Float64Array): Float64Array {
  const r = new Float64Array(sys.eqs.length)
  for (let i = 0; i < sys.eqs.length; i++) r[i] = sys.eqs[i].f(x, null)
  return r
}
