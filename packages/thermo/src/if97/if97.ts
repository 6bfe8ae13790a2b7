/**
 * IAPWS-IF97 (R7-97(2012)): regions 1, 2, 3, 5, the region-4 saturation equations, the B23
 * boundary and the backward equations T(p,h), T(p,s) of regions 1 and 2. Every coefficient is
 * read from data/if97.json. Internally MPa, kJ/kg, as in the release; the exported functions
 * take and return SI (Pa, K, J/kg, kg/m3).
 */
import { readDataJson } from '../helmholtz/fluid.ts'
import { finishDerived, type TRhoProps } from '../helmholtz/props.ts'
import { PolySum } from './poly.ts'

type J = Record<string, unknown>
const D = readDataJson('if97.json') as Record<string, J>

function nums(o: J, k: string): number[] {
  const v = o[k]
  if (!Array.isArray(v)) throw new Error(`if97.json: ${k} must be an array`)
  return v as number[]
}
function num(o: J, k: string): number {
  const v = o[k]
  if (typeof v !== 'number') throw new Error(`if97.json: ${k} must be a number`)
  return v
}
function sub(o: J, k: string): J {
  return o[k] as J
}

/** specific gas constant of IF97 [kJ/(kg K)] */
export const R = num(D.constants, 'R')
export const Tc = num(D.constants, 'Tc')
export const pcMPa = num(D.constants, 'pc')
export const rhoc = num(D.constants, 'rhoc')

// ---------------------------------------------------------------- B23 (Section 4)
const B = D.B23
const b1 = num(B, 'n1')
const b2 = num(B, 'n2')
const b3 = num(B, 'n3')
const b4 = num(B, 'n4')
const b5 = num(B, 'n5')
/** B23 p(T) [MPa] (Eq. 5) */
export function pB23(T: number): number {
  return b1 + b2 * T + b3 * T * T
}
/** B23 T(p) [K] (Eq. 6), p in MPa */
export function TB23(p: number): number {
  return b4 + Math.sqrt((p - b5) / b3)
}

// ---------------------------------------------------------------- region 4 (Section 8)
const n4 = nums(D.region4, 'n')
/** saturation pressure [MPa] at T [K] (Eq. 30) */
export function psat4(T: number): number {
  const th = T + n4[8] / (T - n4[9])
  const A = th * th + n4[0] * th + n4[1]
  const Bb = n4[2] * th * th + n4[3] * th + n4[4]
  const C = n4[5] * th * th + n4[6] * th + n4[7]
  const x = (2 * C) / (-Bb + Math.sqrt(Bb * Bb - 4 * A * C))
  return x * x * x * x
}
/** saturation temperature [K] at p [MPa] (Eq. 31) */
export function Tsat4(p: number): number {
  const be = Math.sqrt(Math.sqrt(p))
  const E = be * be + n4[2] * be + n4[5]
  const F = n4[0] * be * be + n4[3] * be + n4[6]
  const G = n4[1] * be * be + n4[4] * be + n4[7]
  const Dd = (2 * G) / (-F - Math.sqrt(F * F - 4 * E * G))
  const s = n4[9] + Dd
  return (s - Math.sqrt(s * s - 4 * (n4[8] + n4[9] * Dd))) / 2
}

// ---------------------------------------------------------------- Gibbs regions 1, 2, 5
const r1 = D.region1
const R1 = new PolySum(nums(r1, 'n'), nums(r1, 'I'), nums(r1, 'J'))
const r1p = num(r1, 'pstar')
const r1T = num(r1, 'Tstar')
const r1eq = String(r1.equation)
// the shifts 7.1 and 1.222 of Eq. 7 are read from the equation text of the data file
const r1m = /\(([\d.]+) - pi\).*\(tau - ([\d.]+)\)/.exec(r1eq)
if (!r1m) throw new Error('if97.json: region1 equation shifts not found')
const r1a = Number(r1m[1])
const r1b = Number(r1m[2])

interface GibbsRegion {
  res: PolySum
  ideal: { n0: number[]; J0: number[] } | null
  pstar: number
  Tstar: number
  /** y = tau - tauShift */
  tauShift: number
}
function gibbsRegion(key: string, shiftRe: RegExp | null): GibbsRegion {
  const r = D[key]
  const res = sub(r, 'residual')
  const ide = sub(r, 'ideal')
  let shift = 0
  if (shiftRe) {
    const m = shiftRe.exec(String(r.equation))
    if (!m) throw new Error(`if97.json: ${key} shift not found`)
    shift = Number(m[1])
  }
  return {
    res: new PolySum(nums(res, 'n'), nums(res, 'I'), nums(res, 'J')),
    ideal: { n0: nums(ide, 'n0'), J0: nums(ide, 'J0') },
    pstar: num(r, 'pstar'),
    Tstar: num(r, 'Tstar'),
    tauShift: shift,
  }
}
const R2 = gibbsRegion('region2', /\(tau - ([\d.]+)\)/)
const R5 = gibbsRegion('region5', null)

/** Gibbs derivatives [g, g_p, g_pp, g_t, g_tt, g_pt] (reduced: pi, tau) */
const gb = new Float64Array(6)
const gr = new Float64Array(6)

/** Fill a TRhoProps from reduced Gibbs derivatives (pi, tau), p [MPa], T [K]. mass SI out. */
function fromGibbs(
  T: number,
  P: number,
  pi: number,
  tau: number,
  g: number,
  gp: number,
  gpp: number,
  gt: number,
  gtt: number,
  gpt: number,
  o: TRhoProps,
): TRhoProps {
  const Rj = R * 1000 // J/(kg K)
  const p = P
  const v = (Rj * T * pi * gp) / p // m3/kg
  const rho = 1 / v
  const h = Rj * T * tau * gt
  const s = Rj * (tau * gt - g)
  const cp = -Rj * tau * tau * gtt
  // (dv/dT)_p and (dv/dp)_T
  const dvdT = (Rj * pi * (gp - tau * gpt)) / p // v/T * (1 - tau gpt/gp) * ... = R pi/p (gp - tau gpt)
  const dvdp = (Rj * T * pi * pi * gpp) / (p * p)
  // to (T, rho) derivatives
  const dpdT = -dvdT / dvdp
  const dpdrho = 1 / (rho * rho * -dvdp)
  const dhdp = v - T * dvdT // (dh/dp)_T
  const dsdp = -dvdT // (ds/dp)_T
  o.T = T
  o.rho = rho
  o.p = p
  o.h = h
  o.s = s
  o.u = h - p * v
  o.g = h - T * s
  o.cp = cp
  o.cv = cp - (T * dvdT * dvdT) / -dvdp
  const w2 = (1 / (-dvdp * rho * rho)) * (cp / o.cv)
  o.w = Math.sqrt(w2 > 0 ? w2 : 0)
  o.dpdT = dpdT
  o.dpdrho = dpdrho
  o.dhdT = cp + dhdp * dpdT
  o.dhdrho = dhdp * dpdrho
  o.dsdT = cp / T + dsdp * dpdT
  o.dsdrho = dsdp * dpdrho
  // u = h - p v: du = dh - v dp - p dv ; at const rho dv = 0
  o.dudT = o.dhdT - v * dpdT
  o.dudrho = o.dhdrho - v * dpdrho + p / (rho * rho)
  return finishDerived(o)
}

/**
 * Region 1 (Eq. 7) at (T, p).
 * @param T - temperature [K]
 * @param P - pressure [Pa]
 */
export function region1(T: number, P: number, o: TRhoProps): TRhoProps {
  const p = P / 1e6
  const pi = p / r1p
  const tau = r1T / T
  R1.eval(r1a - pi, tau - r1b, gb)
  // x = 7.1 - pi: d/dpi = -d/dx
  return fromGibbs(T, P, pi, tau, gb[0], -gb[1], gb[2], gb[3], gb[4], -gb[5], o)
}

function gibbs25(Rg: GibbsRegion, T: number, P: number, o: TRhoProps): TRhoProps {
  const p = P / 1e6
  const pi = p / Rg.pstar
  const tau = Rg.Tstar / T
  Rg.res.eval(pi, tau - Rg.tauShift, gr)
  const id = Rg.ideal as { n0: number[]; J0: number[] }
  let g0 = Math.log(pi)
  let g0t = 0
  let g0tt = 0
  for (let i = 0; i < id.n0.length; i++) {
    const Jv = id.J0[i]
    const tj = Jv === 0 ? 1 : Math.pow(tau, Jv)
    g0 += id.n0[i] * tj
    g0t += (id.n0[i] * Jv * tj) / tau
    g0tt += (id.n0[i] * Jv * (Jv - 1) * tj) / (tau * tau)
  }
  return fromGibbs(
    T,
    P,
    pi,
    tau,
    g0 + gr[0],
    1 / pi + gr[1],
    -1 / (pi * pi) + gr[2],
    g0t + gr[3],
    g0tt + gr[4],
    gr[5],
    o,
  )
}
/** Region 2 (Eq. 15) at (T [K], P [Pa]). */
export function region2(T: number, P: number, o: TRhoProps): TRhoProps {
  return gibbs25(R2, T, P, o)
}
/** Region 5 (Eq. 32) at (T [K], P [Pa]). */
export function region5(T: number, P: number, o: TRhoProps): TRhoProps {
  return gibbs25(R5, T, P, o)
}
const R2m = (() => {
  const r = D.region2_metastable_vapor
  const res = sub(r, 'residual')
  const ide = sub(r, 'ideal')
  return {
    res: new PolySum(nums(res, 'n'), nums(res, 'I'), nums(res, 'J')),
    ideal: { n0: nums(ide, 'n0'), J0: nums(ide, 'J0') },
    pstar: num(r, 'pstar'),
    Tstar: num(r, 'Tstar'),
    tauShift: R2.tauShift,
  }
})()
/** Region 2 metastable-vapour equation (Eq. 18) at (T [K], P [Pa]); for the tests only. */
export function region2meta(T: number, P: number, o: TRhoProps): TRhoProps {
  return gibbs25(R2m, T, P, o)
}

// ---------------------------------------------------------------- region 3 (Eq. 28)
const r3 = D.region3
const R3 = new PolySum(nums(r3, 'n'), nums(r3, 'I'), nums(r3, 'J'))
const r3n1 = num(r3, 'n1')
const r3rho = num(r3, 'rhostar')
const r3T = num(r3, 'Tstar')
const fb = new Float64Array(6)

/** Region 3 at (T [K], rho [kg/m3]). */
export function region3(T: number, rho: number, o: TRhoProps): TRhoProps {
  const d = rho / r3rho
  const t = r3T / T
  R3.eval(d, t, fb)
  const phi = r3n1 * Math.log(d) + fb[0]
  const pd = r3n1 / d + fb[1]
  const pdd = -r3n1 / (d * d) + fb[2]
  const pt = fb[3]
  const ptt = fb[4]
  const pdt = fb[5]
  const Rj = R * 1000
  const RT = Rj * T
  const A = d * pd - d * t * pdt
  const Bq = 2 * d * pd + d * d * pdd
  o.T = T
  o.rho = rho
  o.p = rho * RT * d * pd
  o.u = RT * t * pt
  o.h = RT * (t * pt + d * pd)
  o.s = Rj * (t * pt - phi)
  o.g = RT * (phi + d * pd)
  o.cv = -Rj * t * t * ptt
  o.cp = o.cv + (Rj * A * A) / Bq
  const w2 = RT * (Bq - (A * A) / (t * t * ptt))
  o.w = Math.sqrt(w2 > 0 ? w2 : 0)
  o.dpdT = rho * Rj * A
  o.dpdrho = RT * Bq
  o.dhdT = o.cv + Rj * A
  o.dhdrho = (RT / rho) * (d * t * pdt + d * pd + d * d * pdd)
  o.dsdT = o.cv / T
  o.dsdrho = (-Rj * A) / rho
  o.dudT = o.cv
  o.dudrho = (RT / rho) * d * t * pdt
  return finishDerived(o)
}

/** Region-3 pressure and dp/drho at (T, rho), into out [p Pa, dp/drho]. */
export function region3p(T: number, rho: number, out: Float64Array): void {
  const d = rho / r3rho
  R3.eval(d, r3T / T, fb)
  const pd = r3n1 / d + fb[1]
  const pdd = -r3n1 / (d * d) + fb[2]
  const RT = R * 1000 * T
  out[0] = rho * RT * d * pd
  out[1] = RT * (2 * d * pd + d * d * pdd)
}

// ---------------------------------------------------------------- backward equations
function backward(key: string, shiftRe: RegExp) {
  const r = D[key]
  const m = shiftRe.exec(String(r.equation))
  if (!m) throw new Error(`if97.json: ${key} equation shifts not found`)
  const star = Object.keys(r).find((k) => k.endsWith('star') && k !== 'Tstar' && k !== 'pstar')
  return {
    poly: new PolySum(nums(r, 'n'), nums(r, 'I'), nums(r, 'J')),
    pstar: num(r, 'pstar'),
    Tstar: num(r, 'Tstar'),
    ystar: num(r, star as string),
    a: Number(m[1] ?? 0),
    b: Number(m[2] ?? 0),
  }
}
// The shifts of each equation (e.g. T = sum n pi^I (eta + 1)^J) are read from the data's text.
const B1ph = backward('region1_backward_T_ph', /pi\^I_i \(eta \+ ([\d.]+)\)()/)
const B1ps = backward('region1_backward_T_ps', /pi\^I_i \(sigma \+ ([\d.]+)\)()/)
const B2aph = backward('region2a_backward_T_ph', /pi\^I_i \(eta - ([\d.]+)\)()/)
const B2bph = backward('region2b_backward_T_ph', /\(pi - ([\d.]+)\)\^I_i \(eta - ([\d.]+)\)/)
const B2cph = backward('region2c_backward_T_ph', /\(pi \+ ([\d.]+)\)\^I_i \(eta - ([\d.]+)\)/)
const B2aps = backward('region2a_backward_T_ps', /pi\^I_i \(sigma - ([\d.]+)\)()/)
const B2bps = backward('region2b_backward_T_ps', /pi\^I_i \(([\d.]+) - sigma\)()/)
const B2cps = backward('region2c_backward_T_ps', /pi\^I_i \(([\d.]+) - sigma\)()/)
const Bbc = D.region2_B2bc
const c1 = num(Bbc, 'n1')
const c2 = num(Bbc, 'n2')
const c3 = num(Bbc, 'n3')
const c4 = num(Bbc, 'n4')
const c5 = num(Bbc, 'n5')
const sub2 = String(Bbc.subregions)
const p2ab = Number((/2a: p <= ([\d.]+) MPa/.exec(sub2) as RegExpExecArray)[1])
const s2bc = Number((/2b if s >= ([\d.]+)/.exec(sub2) as RegExpExecArray)[1])

/** B2bc p(h) [MPa] (Eq. 20), h in kJ/kg */
export function pB2bc(h: number): number {
  return c1 + c2 * h + c3 * h * h
}
/** B2bc h(p) [kJ/kg] (Eq. 21), p in MPa */
export function hB2bc(p: number): number {
  return c4 + Math.sqrt((p - c5) / c3)
}

/** Region 1 T(p,h) (Eq. 11). @param P - [Pa] @param h - [J/kg] @returns T [K] */
export function T1ph(P: number, h: number): number {
  const pi = P / 1e6 / B1ph.pstar
  const eta = h / 1e3 / B1ph.ystar
  return B1ph.Tstar * B1ph.poly.value(pi, eta + B1ph.a)
}
/** Region 1 T(p,s) (Eq. 13). @param P - [Pa] @param s - [J/(kg K)] */
export function T1ps(P: number, s: number): number {
  const pi = P / 1e6 / B1ps.pstar
  const sg = s / 1e3 / B1ps.ystar
  return B1ps.Tstar * B1ps.poly.value(pi, sg + B1ps.a)
}
/** Region 2 T(p,h) (Eqs. 22-24, subregion by p and B2bc). */
export function T2ph(P: number, h: number): number {
  const p = P / 1e6
  const hk = h / 1e3
  if (p <= p2ab) return B2aph.Tstar * B2aph.poly.value(p / B2aph.pstar, hk / B2aph.ystar - B2aph.a)
  if (hk >= hB2bc(p))
    return B2bph.Tstar * B2bph.poly.value(p / B2bph.pstar - B2bph.a, hk / B2bph.ystar - B2bph.b)
  return B2cph.Tstar * B2cph.poly.value(p / B2cph.pstar + B2cph.a, hk / B2cph.ystar - B2cph.b)
}
/** Region 2 T(p,s) (Eqs. 25-27). */
export function T2ps(P: number, s: number): number {
  const p = P / 1e6
  const sk = s / 1e3
  if (p <= p2ab) return B2aps.Tstar * B2aps.poly.value(p / B2aps.pstar, sk / B2aps.ystar - B2aps.a)
  if (sk >= s2bc) return B2bps.Tstar * B2bps.poly.value(p / B2bps.pstar, B2bps.a - sk / B2bps.ystar)
  return B2cps.Tstar * B2cps.poly.value(p / B2cps.pstar, B2cps.a - sk / B2cps.ystar)
}

/** boundaries of the regions [K], [MPa] */
export const T13 = 623.15
export const T25 = 1073.15
export const T2max = 2273.15
export const p5max = 50
export const pmax = 100
export const Tmin = 273.15
