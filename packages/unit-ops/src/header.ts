import type { Equation, Stream } from './system.ts'
import type { ThermoPackage } from './thermo-types.ts'
import type { UnitFactory } from './units.ts'
import { energyBalance, equal, linear, massBalance, named } from './eq.ts'
import { portOrder } from './units.ts'

/**
 * Saturation enthalpy of one phase at P with its derivative along the saturation line
 * (Clausius-Clapeyron with the phase's exact single-phase derivatives, see the flowsheet's
 * port-props), and the saturation temperature with dTsat/dP = T (vV - vL) / (hV - hL).
 */
export function saturation(pkg: ThermoPackage, P: number) {
  const sat = pkg.saturationP(P)
  const hL = sat.liquid.h
  const hV = sat.vapor.h
  const dv = pkg.molarMass * (1 / sat.vapor.rho - 1 / sat.liquid.rho)
  const dTdP = (sat.T * dv) / (hV - hL)
  const eps = 1e-9 * Math.max(1, Math.abs(hV - hL))
  const side = (hp: number) => {
    const p = pkg.propsPH(P, hp)
    const invCp = p.d.T.dh
    return invCp > 0 ? (dTdP - p.d.T.dP) / invCp : 0
  }
  return { T: sat.T, dTdP, hL, hV, dhLdP: side(hL - eps), dhVdP: side(hV + eps) }
}

/**
 * Ahuora's steam header: mixer (outlet pressure the minimum of the inlets) -> cooler (heat loss
 * heat_duty_inverted, pressure drop deltaP_inverted) -> phase separator (the liquid leaves by
 * phase_separator.condensate_outlet) -> splitter: each outlet's flow is split_flow[outlet_k], the
 * vent takes the balance (balance_flow_mol). Header properties (temperature, pressure,
 * vapor_frac, enth_mol, enth_mass, total_flow_mol, total_flow_mass, degree_of_superheat) are those of the
 * cooler outlet.
 */
export const header: UnitFactory = (ctx) => {
  const o = ctx.owner
  const sys = ctx.sys
  const inNames = Object.keys(ctx.ports)
    .filter((n) => n.startsWith('mixer.inlet'))
    .sort((a, b) => portOrder(a) - portOrder(b))
  const outNames = Object.keys(ctx.ports)
    .filter((n) => n.startsWith('splitter.outlet'))
    .sort((a, b) => portOrder(a) - portOrder(b))
  const ins = inNames.map((n) => ctx.ports[n])
  const outs = outNames.map((n) => ctx.ports[n])
  const vent = ctx.ports['splitter.vent']
  const cond = ctx.ports['phase_separator.condensate_outlet']
  const pkg = (ins[0] ?? vent).pkg
  const M = pkg.molarMass
  const eqs: string[] = []
  const add = (e: Equation) => {
    sys.addEq(e)
    eqs.push(e.name)
  }
  const nan = { F: NaN, h: NaN, P: NaN }
  const mixed = sys.addStream(`${o.unitName}.mixer.outlet`, pkg, o, nan)
  const c = sys.addStream(`${o.unitName}.cooler.outlet`, pkg, o, nan)
  const vap = sys.addStream(`${o.unitName}.phase_separator.vapor_outlet`, pkg, o, nan)
  const v = (key: string, value: number, unit: string, scale: number) =>
    sys.addVar({ name: `${o.unitName}.${key}`, key, value, unit, scale, ...o })
  const qLoss = v('heat_duty_inverted', 0, 'W', 1e3)
  const qNeg = v('cooler.heat_duty', 0, 'W', 1e3)
  const dPinv = v('deltaP_inverted', 0, 'Pa', 1e5)
  const Tv = v('temperature', 400, 'K', 100)
  const sup = v('degree_of_superheat', 0, 'K', 10)
  const xv = v('vapor_frac', 1, 'dimensionless', 1)
  const hMass = v('enth_mass', 0, 'J/kg', 1e6)
  const mTot = v('total_flow_mass', 0, 'kg/s', 1)
  // mixer
  add(named(massBalance(o, ins, [mixed]), 'mixer mass balance'))
  add(named(energyBalance(o, ins, [mixed], []), 'mixer energy balance'))
  const eps = 1e-3
  add({
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'mixer outlet pressure = smooth minimum of inlet pressures',
    unit: 'Pa',
    scale: 1e5,
    kind: 'unit',
    vars: [mixed.P, ...ins.map((s) => s.P)],
    f(x, g) {
      const n = ins.length
      let m = x[ins[0].P]
      const dm = new Float64Array(n)
      dm[0] = 1
      for (let i = 1; i < n; i++) {
        const p = x[ins[i].P]
        const d = m - p
        const sq = Math.sqrt(d * d + eps * eps)
        const a = 0.5 * (1 - d / sq)
        for (let k = 0; k < i; k++) dm[k] *= a
        dm[i] = 0.5 * (1 + d / sq)
        m = 0.5 * (m + p - sq)
      }
      if (g) {
        g[0] = 1
        for (let i = 0; i < n; i++) g[i + 1] = -dm[i]
      }
      return x[mixed.P] - m
    },
  })
  // cooler
  add(named(massBalance(o, [mixed], [c]), 'cooler mass balance'))
  add(
    linear(
      o,
      'cooler.heat_duty = -heat_duty_inverted',
      [
        [1, qNeg],
        [1, qLoss],
      ],
      0,
      1e3,
      'W',
    ),
  )
  add(named(energyBalance(o, [mixed], [c], [qNeg]), 'cooler energy balance'))
  add(
    linear(
      o,
      'cooler outlet pressure = inlet pressure - deltaP_inverted',
      [
        [1, c.P],
        [-1, mixed.P],
        [1, dPinv],
      ],
      0,
      1e5,
      'Pa',
    ),
  )
  // header properties of the cooler outlet
  add({
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'header temperature = T(P, h)',
    unit: 'K',
    scale: 100,
    kind: 'unit',
    vars: [Tv, c.P, c.h],
    f(x, g) {
      const p = c.props(x)
      if (g) {
        g[0] = 1
        g[1] = -p.d.T.dP
        g[2] = -p.d.T.dh
      }
      return x[Tv] - p.state.T
    },
  })
  add({
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'degree_of_superheat = T - Tsat(P)',
    unit: 'K',
    scale: 10,
    kind: 'unit',
    vars: [sup, Tv, c.P],
    f(x, g) {
      const s = saturation(pkg, x[c.P])
      if (g) {
        g[0] = 1
        g[1] = -1
        g[2] = s.dTdP
      }
      return x[sup] - (x[Tv] - s.T)
    },
  })
  add({
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'header vapor_frac = x(P, h)',
    unit: 'dimensionless',
    scale: 1,
    kind: 'unit',
    vars: [xv, c.P, c.h],
    f(x, g) {
      const p = c.props(x)
      if (g) {
        g[0] = 1
        g[1] = -p.d.x.dP
        g[2] = -p.d.x.dh
      }
      return x[xv] - (p.state.x ?? 1)
    },
  })
  add(
    linear(
      o,
      'enth_mass = enth_mol / M',
      [
        [1, hMass],
        [-1 / M, c.h],
      ],
      0,
      1e6,
      'J/kg',
    ),
  )
  add(
    linear(
      o,
      'total_flow_mass = M * flow_mol',
      [
        [1, mTot],
        [-M, c.F],
      ],
      0,
      1,
      'kg/s',
    ),
  )
  // phase separator: condensate (1 - x) F at the saturated-liquid enthalpy, vapour x F
  add(
    linear(
      o,
      'phase separator mass balance',
      [
        [1, c.F],
        [-1, cond.F],
        [-1, vap.F],
      ],
      0,
      1,
      'mol/s',
      'balance',
    ),
  )
  add({
    unitId: o.unitId,
    unitName: o.unitName,
    name: 'condensate flow = (1 - vapor_frac) * flow',
    unit: 'mol/s',
    scale: 1,
    kind: 'unit',
    vars: [cond.F, xv, c.F],
    f(x, g) {
      if (g) {
        g[0] = 1
        g[1] = x[c.F]
        g[2] = -(1 - x[xv])
      }
      return x[cond.F] - (1 - x[xv]) * x[c.F]
    },
  })
  const phaseEnth = (name: string, s: Stream, phase: 'L' | 'V'): Equation => ({
    unitId: o.unitId,
    unitName: o.unitName,
    name,
    unit: 'J/mol',
    scale: 1e4,
    kind: 'unit',
    vars: [s.h, c.P, c.h],
    f(x, g) {
      const p = c.props(x)
      const xx = p.state.x
      const inDome = xx !== null && xx > 0 && xx < 1
      if (!inDome) {
        if (g) {
          g[0] = 1
          g[1] = 0
          g[2] = -1
        }
        return x[s.h] - x[c.h]
      }
      const sat = saturation(pkg, x[c.P])
      if (g) {
        g[0] = 1
        g[1] = -(phase === 'L' ? sat.dhLdP : sat.dhVdP)
        g[2] = 0
      }
      return x[s.h] - (phase === 'L' ? sat.hL : sat.hV)
    },
  })
  add(
    phaseEnth(
      'condensate enthalpy = saturated liquid (or the header state when single-phase)',
      cond,
      'L',
    ),
  )
  add(
    phaseEnth(
      'vapour enthalpy = saturated vapour (or the header state when single-phase)',
      vap,
      'V',
    ),
  )
  add(equal(o, 'condensate pressure = header pressure', cond.P, c.P, 1e5, 'Pa'))
  add(equal(o, 'vapour pressure = header pressure', vap.P, c.P, 1e5, 'Pa'))
  // splitter: outlets at given flows, the vent takes the balance
  add(
    named(massBalance(o, [vap], [...outs, vent]), 'splitter mass balance (vent takes the balance)'),
  )
  for (const [i, s] of [...outs, vent].entries()) {
    const nm = i < outs.length ? outNames[i] : 'splitter.vent'
    add(equal(o, `${nm} enthalpy = vapour enthalpy`, s.h, vap.h, 1e4, 'J/mol'))
    add(equal(o, `${nm} pressure = header pressure`, s.P, vap.P, 1e5, 'Pa'))
  }
  const vars: Record<string, number> = {
    heat_duty_inverted: qLoss,
    deltaP_inverted: dPinv,
    'splitter.vent.flow_mol': vent.F,
    balance_flow_mol: vent.F,
    total_flow_mol: c.F,
    total_flow_mass: mTot,
    temperature: Tv,
    degree_of_superheat: sup,
    pressure: c.P,
    vapor_frac: xv,
    enth_mol: c.h,
    enth_mass: hMass,
    'cooler.heat_duty': qNeg,
  }
  outNames.forEach((n, i) => {
    vars[`split_flow[${n.replace('splitter.', '')}]`] = outs[i].F
  })
  return {
    type: ctx.type,
    owner: o,
    vars,
    inlets: inNames,
    outlets: [...outNames, 'splitter.vent', 'phase_separator.condensate_outlet'],
    defaults: { heat_duty_inverted: 0, deltaP_inverted: 0 },
    equations: eqs,
    init(x, known) {
      const set = (i: number, val: number) => {
        if (!known(i) && Number.isFinite(val)) x[i] = val
      }
      let F = 0
      let H = 0
      let P = Infinity
      for (const s of ins) {
        F += x[s.F]
        H += x[s.F] * x[s.h]
        P = Math.min(P, x[s.P])
      }
      set(mixed.F, F)
      set(mixed.h, F > 0 ? H / F : x[ins[0].h])
      set(mixed.P, P)
      set(c.F, x[mixed.F])
      set(c.P, x[mixed.P] - x[dPinv])
      set(qNeg, -x[qLoss])
      set(c.h, x[mixed.F] > 0 ? x[mixed.h] - x[qLoss] / x[mixed.F] : x[mixed.h])
      let xx = 1
      try {
        const st = pkg.propsPH(x[c.P], x[c.h]).state
        xx = st.x ?? 1
        set(Tv, st.T)
        set(sup, st.T - pkg.saturationP(x[c.P]).T)
        const inDome = xx > 0 && xx < 1
        const sat = inDome ? pkg.saturationP(x[c.P]) : null
        set(vap.h, sat ? sat.vapor.h : x[c.h])
        set(cond.h, sat ? sat.liquid.h : x[c.h])
      } catch {
        set(vap.h, x[c.h])
        set(cond.h, x[c.h])
      }
      set(xv, xx)
      set(hMass, x[c.h] / M)
      set(mTot, x[c.F] * M)
      set(cond.F, (1 - xx) * x[c.F])
      set(vap.F, xx * x[c.F])
      let rest = x[vap.F]
      for (const s of outs) {
        if (!known(s.F) || !Number.isFinite(x[s.F])) x[s.F] = x[vap.F] / (outs.length + 1)
        rest -= x[s.F]
      }
      set(vent.F, rest)
      for (const s of [vap, cond, ...outs, vent]) set(s.P, x[c.P])
      for (const s of [...outs, vent]) set(s.h, x[vap.h])
    },
  }
}
