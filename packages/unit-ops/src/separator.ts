import type { Equation, Stream } from './system.ts'
import type { UnitFactory } from './units.ts'
import { equal, linear } from './eq.ts'
import { saturation } from './header.ts'

/**
 * Phase separator (ideal flash drum, adiabatic, no pressure change): the inlet's vapour
 * fraction x(P, h) leaves by outlet_1 as saturated vapour and the rest by outlet_2 as saturated
 * liquid: F_1 = x F_in, F_2 = F_in - F_1, h_1 = hV(P), h_2 = hL(P), P_1 = P_2 = P_in. A single-
 * phase inlet leaves entirely by its phase's outlet; the other carries zero flow at the inlet
 * state. Energy is conserved identically (F_in h_in = x F_in hV + (1-x) F_in hL in the dome).
 */
export const phaseSeparator: UnitFactory = (ctx) => {
  const o = ctx.owner
  const sys = ctx.sys
  const inl = ctx.ports.inlet
  const vap = ctx.ports.outlet_1
  const liq = ctx.ports.outlet_2
  const eqs: string[] = []
  const add = (e: Equation) => {
    sys.addEq(e)
    eqs.push(e.name)
  }
  add(
    linear(
      o,
      'mass balance: F_in = F_vapour + F_liquid',
      [
        [1, inl.F],
        [-1, vap.F],
        [-1, liq.F],
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
    name: 'vapour flow = x(P_in, h_in) * F_in',
    unit: 'mol/s',
    scale: 1,
    kind: 'unit',
    vars: [vap.F, inl.F, inl.P, inl.h],
    f(x, g) {
      const p = inl.props(x)
      const xx = p.state.x ?? 1
      if (g) {
        g[0] = 1
        g[1] = -xx
        g[2] = -p.d.x.dP * x[inl.F]
        g[3] = -p.d.x.dh * x[inl.F]
      }
      return x[vap.F] - xx * x[inl.F]
    },
  })
  const phaseEnth = (s: Stream, phase: 'L' | 'V'): Equation => ({
    unitId: o.unitId,
    unitName: o.unitName,
    name: `${phase === 'V' ? 'outlet_1 enthalpy = saturated vapour' : 'outlet_2 enthalpy = saturated liquid'} (inlet state when single-phase)`,
    unit: 'J/mol',
    scale: 1e4,
    kind: 'unit',
    vars: [s.h, inl.P, inl.h],
    f(x, g) {
      const p = inl.props(x)
      const xx = p.state.x
      if (xx === null || xx <= 0 || xx >= 1) {
        if (g) {
          g[0] = 1
          g[1] = 0
          g[2] = -1
        }
        return x[s.h] - x[inl.h]
      }
      const sat = saturation(inl.pkg, x[inl.P])
      if (g) {
        g[0] = 1
        g[1] = -(phase === 'L' ? sat.dhLdP : sat.dhVdP)
        g[2] = 0
      }
      return x[s.h] - (phase === 'L' ? sat.hL : sat.hV)
    },
  })
  add(phaseEnth(vap, 'V'))
  add(phaseEnth(liq, 'L'))
  add(equal(o, 'outlet_1 pressure = inlet pressure', vap.P, inl.P, 1e5, 'Pa'))
  add(equal(o, 'outlet_2 pressure = inlet pressure', liq.P, inl.P, 1e5, 'Pa'))
  return {
    type: ctx.type,
    owner: o,
    vars: {},
    inlets: ['inlet'],
    outlets: ['outlet_1', 'outlet_2'],
    defaults: {},
    equations: eqs,
    init(x, known) {
      const set = (i: number, v: number) => {
        if (!known(i) && Number.isFinite(v)) x[i] = v
      }
      let xx = 0.5
      let hV = x[inl.h]
      let hL = x[inl.h]
      try {
        const st = inl.props(x).state
        xx = st.x ?? 1
        if (xx > 0 && xx < 1) {
          const sat = inl.pkg.saturationP(x[inl.P])
          hV = sat.vapor.h
          hL = sat.liquid.h
        }
      } catch {
        /* keep */
      }
      set(vap.F, xx * x[inl.F])
      set(liq.F, (1 - xx) * x[inl.F])
      set(vap.h, hV)
      set(liq.h, hL)
      set(vap.P, x[inl.P])
      set(liq.P, x[inl.P])
    },
  }
}
