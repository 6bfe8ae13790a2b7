import type { UnitFactory } from './units.ts'
import { energyBalance, linear, massBalance, named } from './eq.ts'

/**
 * Counter-current two-stream heat exchanger (IDAES HeatExchanger / HX0D, as Ahuora's
 * CustomHeatExchanger instantiates it):
 *   hot:  F h_in - heat_duty = F h_out;   cold: F h_in + heat_duty = F h_out
 *   heat_duty = overall_heat_transfer_coefficient * area * deltaT
 *   delta_temperature_in  = T_hot,in  - T_cold,out
 *   delta_temperature_out = T_hot,out - T_cold,in
 *   deltaT = ((dT_in^(1/3) + dT_out^(1/3)) / 2)^3  (Underwood's approximation, Ahuora's default)
 *          or (dT_in - dT_out) / ln(dT_in / dT_out) when args.delta_temperature (or IDAES's
 *          delta_temperature_callback name) contains 'lmtd'
 *   P_out = P_in + side.deltaP on each side (deltaP_inverted = -deltaP).
 */
export const heatExchanger: UnitFactory = (ctx) => {
  const o = ctx.owner
  const hi = ctx.ports.hot_side_inlet
  const ho = ctx.ports.hot_side_outlet
  const ci = ctx.ports.cold_side_inlet
  const co = ctx.ports.cold_side_outlet
  const eqs: string[] = []
  const sys = ctx.sys
  const v = (key: string, value: number, unit: string, scale: number, lower = -Infinity) =>
    sys.addVar({ name: `${o.unitName}.${key}`, key, value, unit, scale, lower, ...o })
  const Q = v('heat_duty', 1000, 'W', 1e3)
  const U = v('overall_heat_transfer_coefficient', 100, 'W/(m**2*K)', 100, 0)
  const A = v('area', 10, 'm**2', 10, 0)
  const dTin = v('delta_temperature_in', 10, 'K', 10)
  const dTout = v('delta_temperature_out', 10, 'K', 10)
  const dPh = v('hot_side.deltaP', 0, 'Pa', 1e5)
  const dPc = v('cold_side.deltaP', 0, 'Pa', 1e5)
  const dPhi = v('hot_side.deltaP_inverted', 0, 'Pa', 1e5)
  const dPci = v('cold_side.deltaP_inverted', 0, 'Pa', 1e5)
  const cb = ctx.args.delta_temperature ?? ctx.args.delta_temperature_callback
  const lmtd = typeof cb === 'string' && cb.includes('lmtd')
  const add = (e: Parameters<typeof sys.addEq>[0]) => {
    sys.addEq(e)
    eqs.push(e.name)
  }
  add(named(massBalance(o, [hi], [ho]), 'hot side mass balance'))
  add(named(massBalance(o, [ci], [co]), 'cold side mass balance'))
  const negQ = v('hot_side.heat', -1000, 'W', 1e3)
  add(
    linear(
      o,
      'hot_side.heat = -heat_duty',
      [
        [1, negQ],
        [1, Q],
      ],
      0,
      1e3,
      'W',
    ),
  )
  add(named(energyBalance(o, [hi], [ho], [negQ]), 'hot side energy balance'))
  add(named(energyBalance(o, [ci], [co], [Q]), 'cold side energy balance'))
  add(
    linear(
      o,
      'hot outlet pressure = inlet pressure + hot_side.deltaP',
      [
        [1, ho.P],
        [-1, hi.P],
        [-1, dPh],
      ],
      0,
      1e5,
      'Pa',
    ),
  )
  add(
    linear(
      o,
      'cold outlet pressure = inlet pressure + cold_side.deltaP',
      [
        [1, co.P],
        [-1, ci.P],
        [-1, dPc],
      ],
      0,
      1e5,
      'Pa',
    ),
  )
  add(
    linear(
      o,
      'hot_side.deltaP_inverted = -hot_side.deltaP',
      [
        [1, dPhi],
        [1, dPh],
      ],
      0,
      1e5,
      'Pa',
    ),
  )
  add(
    linear(
      o,
      'cold_side.deltaP_inverted = -cold_side.deltaP',
      [
        [1, dPci],
        [1, dPc],
      ],
      0,
      1e5,
      'Pa',
    ),
  )
  const tempDiff = (name: string, dT: number, a: typeof hi, b: typeof hi) =>
    add({
      unitId: o.unitId,
      unitName: o.unitName,
      name,
      unit: 'K',
      scale: 1,
      vars: [dT, a.P, a.h, b.P, b.h],
      kind: 'unit',
      f(x, g) {
        const pa = a.props(x)
        const pb = b.props(x)
        if (g) {
          g[0] = 1
          g[1] = -pa.d.T.dP
          g[2] = -pa.d.T.dh
          g[3] = pb.d.T.dP
          g[4] = pb.d.T.dh
        }
        return x[dT] - (pa.state.T - pb.state.T)
      },
    })
  tempDiff('delta_temperature_in = T_hot,in - T_cold,out', dTin, hi, co)
  tempDiff('delta_temperature_out = T_hot,out - T_cold,in', dTout, ho, ci)
  add({
    unitId: o.unitId,
    unitName: o.unitName,
    name: lmtd
      ? 'heat_duty = U * area * LMTD(delta_temperature_in, delta_temperature_out)'
      : 'heat_duty = U * area * Underwood mean of delta_temperature_in, delta_temperature_out',
    unit: 'W',
    scale: 1e3,
    vars: [Q, U, A, dTin, dTout],
    kind: 'unit',
    f(x, g) {
      const a = x[dTin]
      const b = x[dTout]
      let m: number
      let dma: number
      let dmb: number
      if (lmtd) {
        ;[m, dma, dmb] = logMean(a, b)
      } else {
        const ca = Math.cbrt(a)
        const cb = Math.cbrt(b)
        const s = (ca + cb) / 2
        m = s * s * s
        // d/da: 3 s^2 * (1/2) * (1/3) a^(-2/3) = s^2 / (2 ca^2)
        dma = ca !== 0 ? (s * s) / (2 * ca * ca) : 0
        dmb = cb !== 0 ? (s * s) / (2 * cb * cb) : 0
      }
      const UA = x[U] * x[A]
      if (g) {
        g[0] = 1
        g[1] = -x[A] * m
        g[2] = -x[U] * m
        g[3] = -UA * dma
        g[4] = -UA * dmb
      }
      return x[Q] - UA * m
    },
  })
  return {
    type: ctx.type,
    owner: o,
    vars: {
      heat_duty: Q,
      overall_heat_transfer_coefficient: U,
      area: A,
      delta_temperature_in: dTin,
      delta_temperature_out: dTout,
      'hot_side.deltaP': dPh,
      'cold_side.deltaP': dPc,
      'hot_side.deltaP_inverted': dPhi,
      'cold_side.deltaP_inverted': dPci,
      'hot_side.heat': negQ,
    },
    inlets: ['hot_side_inlet', 'cold_side_inlet'],
    outlets: ['hot_side_outlet', 'cold_side_outlet'],
    defaults: {},
    equations: eqs,
    init(x, known) {
      const set = (i: number, val: number) => {
        if (!known(i) && Number.isFinite(val)) x[i] = val
      }
      if (known(dPhi) && !known(dPh)) x[dPh] = -x[dPhi]
      if (known(dPci) && !known(dPc)) x[dPc] = -x[dPci]
      set(ho.F, x[hi.F])
      set(co.F, x[ci.F])
      set(ho.P, x[hi.P] + x[dPh])
      set(co.P, x[ci.P] + x[dPc])
      set(dPh, x[ho.P] - x[hi.P])
      set(dPc, x[co.P] - x[ci.P])
      set(dPhi, -x[dPh])
      set(dPci, -x[dPc])
      // duty guess: a quarter of what would bring both outlets to the other inlet's temperature
      try {
        const Thi = hi.pkg.propsPH(x[hi.P], x[hi.h]).state.T
        const Tci = ci.pkg.propsPH(x[ci.P], x[ci.h]).state.T
        const hHot = hi.pkg.flashTP(Tci, x[ho.P]).h
        const hCold = ci.pkg.flashTP(Thi, x[co.P]).h
        const qMax = Math.max(0, Math.min(x[hi.F] * (x[hi.h] - hHot), x[ci.F] * (hCold - x[ci.h])))
        let q = known(Q) ? x[Q] : 0.25 * qMax
        if (!known(Q) && known(U) && known(A))
          q = Math.min(0.5 * qMax, x[U] * x[A] * Math.abs(Thi - Tci) * 0.5)
        set(Q, q)
      } catch {
        set(Q, 0)
      }
      set(negQ, -x[Q])
      if (x[ho.F] > 0) set(ho.h, x[hi.h] - x[Q] / x[ho.F])
      if (x[co.F] > 0) set(co.h, x[ci.h] + x[Q] / x[co.F])
      try {
        const T = (s: typeof hi) => s.pkg.propsPH(x[s.P], x[s.h]).state.T
        set(dTin, T(hi) - T(co))
        set(dTout, T(ho) - T(ci))
      } catch {
        /* keep */
      }
    },
  }
}

/** Log mean (a - b)/ln(a/b) with its partial derivatives; series near a = b. */
export function logMean(a: number, b: number): [number, number, number] {
  const r = a / b
  if (Math.abs(r - 1) < 1e-6) {
    const m = (a + b) / 2
    return [m, 0.5, 0.5]
  }
  const L = Math.log(r)
  const m = (a - b) / L
  // dm/da = (L - (a-b)/a) / L^2 ; dm/db = (-L + (a-b)/b) / L^2
  return [m, (L - (a - b) / a) / (L * L), (-L + (a - b) / b) / (L * L)]
}
