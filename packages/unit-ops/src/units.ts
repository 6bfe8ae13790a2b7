import type { Equation, EquationSystem, Stream } from './system.ts'
import { bilinear, energyBalance, equal, linear, massBalance, type Owner } from './eq.ts'

/**
 * Unit operations as variables + residual equations, with IDAES's names
 * (idaes.models.unit_models: PressureChanger, Heater, HeatExchanger, Mixer, Separator) and
 * Ahuora's additions (heat_duty_inverted, deltaP_inverted, efficiency_motor).
 * Every derivative is exact: property derivatives come from the package's propsPH.
 */

export interface UnitBuildContext {
  sys: EquationSystem
  owner: Owner
  type: string
  /** material streams by port name (created by the flowsheet; arcs share variables) */
  ports: Record<string, Stream>
  args: Record<string, unknown>
  /** unit-level property keys the document specifies (to decide optional structure) */
  specifiedKeys: Set<string>
}

export interface UnitOp {
  type: string
  owner: Owner
  /** unit-level variables by IDAES name (e.g. deltaP, work_mechanical, heat_duty) */
  vars: Record<string, number>
  inlets: string[]
  outlets: string[]
  /** variables fixed by default (value) unless the document specifies something for this unit */
  defaults: Record<string, number>
  /**
   * a default is skipped when the document specifies any of these (unit property keys, or
   * 'port.key' for a port property such as 'outlet.pressure')
   */
  defaultUnless?: Record<string, string[]>
  /**
   * Sequential initialisation: inlet values are set in x; write outlet and internal guesses for
   * variables that are not `known(i)` (fixed or seeded). Never throws.
   */
  init(x: Float64Array, known: (i: number) => boolean): void
  /** names of the equations this unit adds (for docs and diagnostics) */
  equations: string[]
}

export type UnitFactory = (ctx: UnitBuildContext) => UnitOp

function unitVar(
  ctx: UnitBuildContext,
  key: string,
  value: number,
  unit: string,
  scale: number,
  lower = -Infinity,
  upper = Infinity,
): number {
  return ctx.sys.addVar({
    name: `${ctx.owner.unitName}.${key}`,
    key,
    value,
    unit,
    scale,
    lower,
    upper,
    unitId: ctx.owner.unitId,
    unitName: ctx.owner.unitName,
  })
}

function add(ctx: UnitBuildContext, list: string[], e: Equation) {
  ctx.sys.addEq(e)
  list.push(e.name)
}

function setIf(x: Float64Array, known: (i: number) => boolean, i: number, v: number) {
  if (!known(i) && Number.isFinite(v)) x[i] = v
}

function copyState(x: Float64Array, known: (i: number) => boolean, from: Stream, to: Stream) {
  setIf(x, known, to.F, x[from.F])
  setIf(x, known, to.h, x[from.h])
  setIf(x, known, to.P, x[from.P])
}

/** Pressure-change equations shared by pump, compressor, turbine, valve. */
function pressureChange(ctx: UnitBuildContext, eqs: string[], inl: Stream, out: Stream) {
  const o = ctx.owner
  const dP = unitVar(ctx, 'deltaP', 0, 'Pa', 1e5)
  const ratioP = unitVar(ctx, 'ratioP', 1, 'dimensionless', 1, 0)
  add(
    ctx,
    eqs,
    linear(
      o,
      'outlet pressure = inlet pressure + deltaP',
      [
        [1, out.P],
        [-1, inl.P],
        [-1, dP],
      ],
      0,
      1e5,
      'Pa',
    ),
  )
  add(ctx, eqs, {
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'ratioP * inlet pressure = outlet pressure',
    unit: 'Pa',
    scale: 1e5,
    vars: [ratioP, inl.P, out.P],
    kind: 'unit',
    f(x, g) {
      if (g) {
        g[0] = x[inl.P]
        g[1] = x[ratioP]
        g[2] = -1
      }
      return x[ratioP] * x[inl.P] - x[out.P]
    },
  })
  add(ctx, eqs, massBalance(o, [inl], [out]))
  return { dP, ratioP }
}

/**
 * Ahuora's drive: work_electrical = efficiency_motor * work_mechanical, efficiency_motor fixed at
 * 1 unless the document specifies it.
 */
function motor(ctx: UnitBuildContext, eqs: string[], wMech: number, vars: Record<string, number>) {
  const effM = unitVar(ctx, 'efficiency_motor', 1, 'dimensionless', 1, 1e-6, 1)
  const wEl = unitVar(ctx, 'work_electrical', 0, 'W', 1e3)
  add(
    ctx,
    eqs,
    bilinear(
      ctx.owner,
      'work_electrical = efficiency_motor * work_mechanical',
      wEl,
      effM,
      wMech,
      1e3,
      'W',
    ),
  )
  vars.efficiency_motor = effM
  vars.work_electrical = wEl
  return { efficiency_motor: 1 } as Record<string, number>
}

/** Guess the outlet pressure of a pressure changer from whichever spec is fixed. */
function initPressure(
  x: Float64Array,
  known: (i: number) => boolean,
  inl: Stream,
  out: Stream,
  dP: number,
  ratioP: number,
  fallbackRatio: number,
) {
  copyState(x, known, inl, out)
  if (!known(out.P)) {
    if (known(dP)) x[out.P] = x[inl.P] + x[dP]
    else if (known(ratioP)) x[out.P] = x[inl.P] * x[ratioP]
    else x[out.P] = x[inl.P] * fallbackRatio
  }
  setIf(x, known, dP, x[out.P] - x[inl.P])
  setIf(x, known, ratioP, x[out.P] / x[inl.P])
}

/**
 * Pump (IDAES PressureChanger, compressor=True, thermodynamic_assumption=pump):
 *   F_out = F_in; P_out = P_in + deltaP; ratioP P_in = P_out;
 *   work_fluid = (F_out M / rho_out) deltaP   (outlet volumetric flow, as IDAES);
 *   work_fluid = efficiency_pump * work_mechanical;
 *   F_in h_in + work_mechanical = F_out h_out.
 */
export const pump: UnitFactory = (ctx) => {
  const o = ctx.owner
  const inl = ctx.ports.inlet
  const out = ctx.ports.outlet
  const eqs: string[] = []
  const { dP, ratioP } = pressureChange(ctx, eqs, inl, out)
  const wMech = unitVar(ctx, 'work_mechanical', 0, 'W', 1e3)
  const wFluid = unitVar(ctx, 'work_fluid', 0, 'W', 1e3)
  const eff = unitVar(ctx, 'efficiency_pump', 0.75, 'dimensionless', 1, 1e-6, 1)
  const M = out.pkg.molarMass
  add(ctx, eqs, {
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'work_fluid = outlet volumetric flow * deltaP',
    unit: 'W',
    scale: 1e3,
    vars: [wFluid, out.F, out.P, out.h, dP],
    kind: 'unit',
    f(x, g) {
      const p = out.props(x)
      const rho = p.state.rho
      const F = x[out.F]
      const d = x[dP]
      const q = (F * M) / rho
      if (g) {
        g[0] = 1
        g[1] = -(M / rho) * d
        g[2] = ((F * M) / (rho * rho)) * p.d.rho.dP * d
        g[3] = ((F * M) / (rho * rho)) * p.d.rho.dh * d
        g[4] = -q
      }
      return x[wFluid] - q * d
    },
  })
  add(
    ctx,
    eqs,
    bilinear(o, 'work_fluid = efficiency_pump * work_mechanical', wFluid, eff, wMech, 1e3, 'W'),
  )
  add(ctx, eqs, energyBalance(o, [inl], [out], [wMech]))
  const vars: Record<string, number> = {
    deltaP: dP,
    ratioP,
    work_mechanical: wMech,
    work_fluid: wFluid,
    efficiency_pump: eff,
  }
  const defaults = motor(ctx, eqs, wMech, vars)
  return {
    type: ctx.type,
    owner: o,
    vars,
    inlets: ['inlet'],
    outlets: ['outlet'],
    defaults,
    equations: eqs,
    init(x, known) {
      initPressure(x, known, inl, out, dP, ratioP, 2)
      try {
        const rho = inl.props(x).state.rho
        const wf = ((x[inl.F] * M) / rho) * x[dP]
        const e = x[eff] > 0 ? x[eff] : 0.75
        setIf(x, known, wFluid, wf)
        setIf(x, known, wMech, wf / e)
        if (x[out.F] > 0) setIf(x, known, out.h, x[inl.h] + x[wMech] / x[out.F])
        setIf(x, known, vars.work_electrical, x[wMech] * (x[vars.efficiency_motor] || 1))
      } catch {
        /* keep copies */
      }
    },
  }
}

/**
 * Compressor and turbine (IDAES PressureChanger, thermodynamic_assumption=isentropic):
 *   s(P_out, h_isentropic) = s(P_in, h_in);  work_isentropic = F_in (h_isentropic - h_in);
 *   compressor: work_isentropic = efficiency_isentropic * work_mechanical;
 *   turbine:    work_mechanical = efficiency_isentropic * work_isentropic;
 *   F_in h_in + work_mechanical = F_out h_out  (work positive into the fluid).
 */
function isentropic(kind: 'compressor' | 'turbine'): UnitFactory {
  return (ctx) => {
    const o = ctx.owner
    const inl = ctx.ports.inlet
    const out = ctx.ports.outlet
    const eqs: string[] = []
    const { dP, ratioP } = pressureChange(ctx, eqs, inl, out)
    const wMech = unitVar(ctx, 'work_mechanical', 0, 'W', 1e3)
    const wIs = unitVar(ctx, 'work_isentropic', 0, 'W', 1e3)
    const eff = unitVar(ctx, 'efficiency_isentropic', 0.8, 'dimensionless', 1, 1e-6, 1)
    const hIs = unitVar(ctx, 'properties_isentropic.enth_mol', 0, 'J/mol', 1e4)
    const isState = { h: hIs, P: out.P }
    let lastP = NaN
    let lastH = NaN
    let cache: ReturnType<Stream['props']> | null = null
    const propsIs = (x: Float64Array) => {
      if (cache && x[out.P] === lastP && x[hIs] === lastH) return cache
      cache = out.pkg.propsPH(x[out.P], x[hIs])
      lastP = x[out.P]
      lastH = x[hIs]
      return cache
    }
    add(ctx, eqs, {
      unitId: o.unitId,
      unitName: o.unitName,
      name: 'isentropic outlet: s(P_out, h_isentropic) = s(P_in, h_in)',
      unit: 'J/mol/K',
      scale: 1,
      vars: [isState.P, isState.h, inl.P, inl.h],
      kind: 'unit',
      f(x, g) {
        const a = propsIs(x)
        const b = inl.props(x)
        if (g) {
          g[0] = a.d.s.dP
          g[1] = a.d.s.dh
          g[2] = -b.d.s.dP
          g[3] = -b.d.s.dh
        }
        return a.state.s - b.state.s
      },
    })
    add(ctx, eqs, {
      unitId: o.unitId,
      unitName: o.unitName,
      name: 'work_isentropic = F_in (h_isentropic - h_in)',
      unit: 'W',
      scale: 1e3,
      vars: [wIs, inl.F, hIs, inl.h],
      kind: 'unit',
      f(x, g) {
        const F = x[inl.F]
        const dh = x[hIs] - x[inl.h]
        if (g) {
          g[0] = 1
          g[1] = -dh
          g[2] = -F
          g[3] = F
        }
        return x[wIs] - F * dh
      },
    })
    if (kind === 'compressor')
      add(
        ctx,
        eqs,
        bilinear(
          o,
          'work_isentropic = efficiency_isentropic * work_mechanical',
          wIs,
          eff,
          wMech,
          1e3,
          'W',
        ),
      )
    else
      add(
        ctx,
        eqs,
        bilinear(
          o,
          'work_mechanical = efficiency_isentropic * work_isentropic',
          wMech,
          eff,
          wIs,
          1e3,
          'W',
        ),
      )
    add(ctx, eqs, energyBalance(o, [inl], [out], [wMech]))
    const vars: Record<string, number> = {
      deltaP: dP,
      ratioP,
      work_mechanical: wMech,
      work_isentropic: wIs,
      efficiency_isentropic: eff,
      'properties_isentropic.enth_mol': hIs,
    }
    const defaults: Record<string, number> = motor(ctx, eqs, wMech, vars)
    return {
      type: ctx.type,
      owner: o,
      vars,
      inlets: ['inlet'],
      outlets: ['outlet'],
      defaults,
      equations: eqs,
      init(x, known) {
        initPressure(x, known, inl, out, dP, ratioP, kind === 'compressor' ? 2 : 0.5)
        try {
          const s = inl.props(x).state.s
          const st = inl.pkg.flashPS(x[out.P], s)
          setIf(x, known, hIs, st.h)
          const e = known(eff) ? x[eff] : 0.8
          const dhIs = x[hIs] - x[inl.h]
          const dh = kind === 'compressor' ? dhIs / e : dhIs * e
          setIf(x, known, wIs, x[inl.F] * dhIs)
          setIf(x, known, wMech, x[inl.F] * dh)
          setIf(x, known, out.h, x[inl.h] + dh)
          setIf(x, known, vars.work_electrical, x[wMech] * (x[vars.efficiency_motor] || 1))
        } catch {
          setIf(x, known, hIs, x[inl.h])
        }
      },
    }
  }
}
export const compressor = isentropic('compressor')
export const turbine = isentropic('turbine')

/** Valve (isenthalpic pressure change): h_out = h_in, F_out = F_in, P_out = P_in + deltaP. */
export const valve: UnitFactory = (ctx) => {
  const o = ctx.owner
  const inl = ctx.ports.inlet
  const out = ctx.ports.outlet
  const eqs: string[] = []
  const { dP, ratioP } = pressureChange(ctx, eqs, inl, out)
  add(
    ctx,
    eqs,
    linear(
      o,
      'isenthalpic: h_out = h_in',
      [
        [1, out.h],
        [-1, inl.h],
      ],
      0,
      1e4,
      'J/mol',
      'balance',
    ),
  )
  return {
    type: ctx.type,
    owner: o,
    vars: { deltaP: dP, ratioP, 'pressure ratio': ratioP },
    inlets: ['inlet'],
    outlets: ['outlet'],
    defaults: {},
    equations: eqs,
    init(x, known) {
      initPressure(x, known, inl, out, dP, ratioP, 0.5)
      setIf(x, known, out.h, x[inl.h])
    },
  }
}

/**
 * Heater / cooler (IDAES Heater + Ahuora inverted variables):
 *   F_in h_in + heat_duty = F_out h_out; heat_duty_inverted = -heat_duty;
 *   with has_pressure_change (or a deltaP spec): P_out = P_in + deltaP, deltaP_inverted = -deltaP;
 *   otherwise P_out = P_in.
 */
export const heater: UnitFactory = (ctx) => {
  const o = ctx.owner
  const inl = ctx.ports.inlet
  const out = ctx.ports.outlet
  const eqs: string[] = []
  const Q = unitVar(ctx, 'heat_duty', 0, 'W', 1e3)
  const Qi = unitVar(ctx, 'heat_duty_inverted', 0, 'W', 1e3)
  add(ctx, eqs, massBalance(o, [inl], [out]))
  add(ctx, eqs, energyBalance(o, [inl], [out], [Q]))
  add(
    ctx,
    eqs,
    linear(
      o,
      'heat_duty_inverted = -heat_duty',
      [
        [1, Qi],
        [1, Q],
      ],
      0,
      1e3,
      'W',
    ),
  )
  const vars: Record<string, number> = { heat_duty: Q, heat_duty_inverted: Qi }
  // Ahuora's heater and cooler always carry deltaP (fixed at 0 unless the document gives deltaP,
  // deltaP_inverted or an outlet pressure); has_pressure_change: false removes it.
  const hasDP =
    ctx.args.has_pressure_change !== false ||
    ctx.specifiedKeys.has('deltaP') ||
    ctx.specifiedKeys.has('deltaP_inverted')
  let dP = -1
  if (hasDP) {
    dP = unitVar(ctx, 'deltaP', 0, 'Pa', 1e5)
    const dPi = unitVar(ctx, 'deltaP_inverted', 0, 'Pa', 1e5)
    add(
      ctx,
      eqs,
      linear(
        o,
        'outlet pressure = inlet pressure + deltaP',
        [
          [1, out.P],
          [-1, inl.P],
          [-1, dP],
        ],
        0,
        1e5,
        'Pa',
      ),
    )
    add(
      ctx,
      eqs,
      linear(
        o,
        'deltaP_inverted = -deltaP',
        [
          [1, dPi],
          [1, dP],
        ],
        0,
        1e5,
        'Pa',
      ),
    )
    vars.deltaP = dP
    vars.deltaP_inverted = dPi
  } else {
    add(ctx, eqs, equal(o, 'outlet pressure = inlet pressure', out.P, inl.P, 1e5, 'Pa'))
  }
  return {
    type: ctx.type,
    owner: o,
    vars,
    inlets: ['inlet'],
    outlets: ['outlet'],
    defaults: (hasDP ? { deltaP: 0 } : {}) as Record<string, number>,
    defaultUnless: { deltaP: ['deltaP', 'deltaP_inverted', 'outlet.pressure'] },
    equations: eqs,
    init(x, known) {
      copyState(x, known, inl, out)
      if (hasDP) {
        if (known(vars.deltaP_inverted) && !known(dP)) x[dP] = -x[vars.deltaP_inverted]
        if (!known(out.P)) x[out.P] = x[inl.P] + x[dP]
        setIf(x, known, dP, x[out.P] - x[inl.P])
        setIf(x, known, vars.deltaP_inverted, -x[dP])
      }
      if (known(Qi) && !known(Q)) x[Q] = -x[Qi]
      if (!known(out.h) && x[out.F] > 0) x[out.h] = x[inl.h] + x[Q] / x[out.F]
      setIf(x, known, Q, x[out.F] * x[out.h] - x[inl.F] * x[inl.h])
      setIf(x, known, Qi, -x[Q])
    },
  }
}

/**
 * Mixer (IDAES Mixer, momentum_mixing_type=minimize): sum F_in = F_out, energy balance, and
 * P_out = min(P_in) written as a smooth minimum: P_out = P_a + P_b - sqrt((P_a - P_b)^2 + eps^2)
 * folded pairwise with eps = 1e-3 Pa (IDAES smooth_min; equal inlets give min - 0.0005 Pa).
 */
export const mixer: UnitFactory = (ctx) => {
  const o = ctx.owner
  const names = Object.keys(ctx.ports)
    .filter((n) => n.startsWith('inlet'))
    .sort((a, b) => portOrder(a) - portOrder(b))
  const ins = names.map((n) => ctx.ports[n])
  const out = ctx.ports.outlet
  const eqs: string[] = []
  add(ctx, eqs, massBalance(o, ins, [out]))
  add(ctx, eqs, energyBalance(o, ins, [out], []))
  const eps = 1e-3
  add(ctx, eqs, {
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'outlet pressure = smooth minimum of inlet pressures',
    unit: 'Pa',
    scale: 1e5,
    vars: [out.P, ...ins.map((s) => s.P)],
    kind: 'unit',
    f(x, g) {
      // fold m = smin(m, p_i); track dm/dp_i
      const n = ins.length
      let m = x[ins[0].P]
      const dm = new Float64Array(n)
      dm[0] = 1
      for (let i = 1; i < n; i++) {
        const p = x[ins[i].P]
        const d = m - p
        const sq = Math.sqrt(d * d + eps * eps)
        const dmA = 0.5 * (1 - d / sq)
        const dmB = 0.5 * (1 + d / sq)
        m = 0.5 * (m + p - sq)
        for (let k = 0; k < i; k++) dm[k] *= dmA
        dm[i] = dmB
      }
      if (g) {
        g[0] = 1
        for (let i = 0; i < n; i++) g[i + 1] = -dm[i]
      }
      return x[out.P] - m
    },
  })
  return {
    type: ctx.type,
    owner: o,
    vars: {},
    inlets: names,
    outlets: ['outlet'],
    defaults: {},
    equations: eqs,
    init(x, known) {
      let F = 0
      let H = 0
      let P = Infinity
      for (const s of ins) {
        F += x[s.F]
        H += x[s.F] * x[s.h]
        P = Math.min(P, x[s.P])
      }
      setIf(x, known, out.F, F)
      setIf(x, known, out.h, F > 0 ? H / F : x[ins[0].h])
      setIf(x, known, out.P, P)
    },
  }
}

/**
 * Splitter (IDAES Separator, split_basis=totalFlow, no energy split): F_i = split_fraction_i F_in,
 * sum split_fraction = 1, h_i = h_in, P_i = P_in.
 */
export const splitter: UnitFactory = (ctx) => {
  const o = ctx.owner
  const names = Object.keys(ctx.ports)
    .filter((n) => n.startsWith('outlet'))
    .sort((a, b) => portOrder(a) - portOrder(b))
  const outs = names.map((n) => ctx.ports[n])
  const inl = ctx.ports.inlet
  const eqs: string[] = []
  const vars: Record<string, number> = {}
  const fr: number[] = []
  names.forEach((n, i) => {
    const v = unitVar(ctx, `split_fraction[${n}]`, 1 / names.length, 'dimensionless', 1, 0, 1)
    fr.push(v)
    vars[`split_fraction[${n}]`] = v
    const s = outs[i]
    add(ctx, eqs, {
      unitId: o.unitId,
      unitName: o.unitName,
      name: `${n} flow = split_fraction[${n}] * inlet flow`,
      unit: 'mol/s',
      scale: 1,
      vars: [s.F, v, inl.F],
      kind: 'unit',
      f(x, g) {
        if (g) {
          g[0] = 1
          g[1] = -x[inl.F]
          g[2] = -x[v]
        }
        return x[s.F] - x[v] * x[inl.F]
      },
    })
    add(ctx, eqs, equal(o, `${n} enthalpy = inlet enthalpy`, s.h, inl.h, 1e4, 'J/mol'))
    add(ctx, eqs, equal(o, `${n} pressure = inlet pressure`, s.P, inl.P, 1e5, 'Pa'))
  })
  add(
    ctx,
    eqs,
    linear(
      o,
      'sum of split fractions = 1',
      fr.map((v) => [1, v] as [number, number]),
      -1,
      1,
      'dimensionless',
    ),
  )
  return {
    type: ctx.type,
    owner: o,
    vars,
    inlets: ['inlet'],
    outlets: names,
    defaults: {},
    equations: eqs,
    init(x, known) {
      // fractions: fixed ones stay, the rest share what is left
      let fixedSum = 0
      const free: number[] = []
      for (const v of fr) {
        if (known(v)) fixedSum += x[v]
        else free.push(v)
      }
      for (const v of free) x[v] = Math.max(0, 1 - fixedSum) / free.length
      outs.forEach((s, i) => {
        setIf(x, known, s.F, x[fr[i]] * x[inl.F])
        setIf(x, known, s.h, x[inl.h])
        setIf(x, known, s.P, x[inl.P])
      })
    },
  }
}

/** numeric suffix of 'inlet_2' / 'outlet_10' for ordering */
export function portOrder(name: string): number {
  const m = /(\d+)$/.exec(name)
  return m ? Number(m[1]) : 0
}
