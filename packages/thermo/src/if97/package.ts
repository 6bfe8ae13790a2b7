/**
 * The `if97` property package: IAPWS-IF97 (R7-97(2012)) regions 1, 2, 3, 5 with the region-4
 * saturation line, B23, and the backward equations T(p,h), T(p,s) as starting values (each
 * result is refined on the forward equations, so the input pair is met to ~1e-13).
 * The flash layer is shared with the helmholtz package (../base.ts).
 */
import { FlashPackage, type Branch, type YKind } from '../base.ts'
import { densityOnBranch } from '../density.ts'
import { noConvergence, outOfRange } from '../errors.ts'
import { TRhoProps } from '../helmholtz/props.ts'
import * as I from './if97.ts'

/** molar mass of water [kg/mol] (IAPWS-95 / R6-95; IF97 itself is specific) */
const M_WATER = 0.018015268

export class If97Package extends FlashPackage {
  private readonly pb = new Float64Array(3)
  private readonly tmp = new TRhoProps()
  private readonly tmp2 = new TRhoProps()

  constructor(molarMass = M_WATER) {
    super({
      name: 'if97',
      compound: 'water',
      version: 'IAPWS-IF97 (R7-97(2012))',
      bounds: { Tmin: I.Tmin, Tmax: I.T2max, Pmin: 1e-3, Pmax: I.pmax * 1e6 },
      M: molarMass,
      R: I.R * 1000,
      Tc: I.Tc,
      pc: I.pcMPa * 1e6,
      rhoc: I.rhoc,
      triple: { T: 273.16, P: I.psat4(273.16) * 1e6 },
    })
  }

  /** IF97's saturation line is Eq. 31 itself: its derivative (4th-order central difference of
   * the explicit equation, relative accuracy ~1e-11), not Clausius-Clapeyron of regions 1/2. */
  protected override dTsatdP(P: number): number {
    const p = P / 1e6
    const e = Math.min(1e-4 * p, (I.pcMPa - p) / 4)
    const f = I.Tsat4
    return (8 * (f(p + e) - f(p - e)) - f(p + 2 * e) + f(p - 2 * e)) / (12 * e) / 1e6
  }

  protected override tMaxAt(P: number): number {
    return P > I.p5max * 1e6 ? I.T25 : this.bounds.Tmax
  }

  /** Region-3 density at (T, P) on a branch (Newton safeguarded by bisection). */
  private rho3(T: number, P: number, branch: Branch, guess: number): number {
    const lo = branch === 'liquid' ? this.rhoc : 0
    const hi = branch === 'vapor' ? this.rhoc : 2.5 * this.rhoc // region 3 densities stay below ~800 kg/m3
    const rho0 =
      guess > lo && guess < hi ? guess : branch === 'vapor' ? 0.6 * this.rhoc : 1.6 * this.rhoc
    const rho = densityOnBranch(I.region3p, T, P, branch, lo, hi, rho0, this.pb)
    if (!Number.isNaN(rho)) return rho
    throw noConvergence('IF97 region-3 density', { T, P, branch })
  }

  /** Region of (T, P) on a branch: 1, 2, 3 or 5 (Section 4 and Fig. 1 of R7-97). */
  private region(T: number, P: number, branch: Branch): number {
    const p = P / 1e6
    if (T > I.T25) {
      if (p > I.p5max) throw outOfRange('P', P, this.bounds.Pmin, I.p5max * 1e6)
      return 5
    }
    if (T <= I.T13) {
      if (branch === 'liquid') return 1
      if (branch === 'vapor') return 2
      return p >= I.psat4(T) ? 1 : 2
    }
    if (p <= I.pB23(T)) return 2
    return 3
  }

  protected stateTP(
    T: number,
    P: number,
    branch: Branch,
    rhoGuess: number,
    o: TRhoProps,
  ): TRhoProps {
    const r = this.region(T, P, branch)
    if (r === 1) return I.region1(T, P, o)
    if (r === 2) return I.region2(T, P, o)
    if (r === 5) return I.region5(T, P, o)
    const br: Branch =
      branch !== 'any' ? branch : T >= this.Tc ? 'any' : P >= I.psat4(T) * 1e6 ? 'liquid' : 'vapor'
    return I.region3(T, this.rho3(T, P, br, rhoGuess), o)
  }

  protected stableTP(T: number, P: number, o: TRhoProps): TRhoProps {
    return this.stateTP(T, P, 'any', NaN, o)
  }

  /** (T, rho): region 3 directly; elsewhere Newton in P on rho(T, P). */
  protected stateTRho(T: number, rho: number, o: TRhoProps): TRhoProps {
    if (T >= I.T13 && T <= I.TB23(I.pmax)) {
      I.region3(T, rho, o)
      if (o.p / 1e6 >= I.pB23(T)) return o
    }
    const branch: Branch = T >= this.Tc ? 'any' : rho >= this.rhoc ? 'liquid' : 'vapor'
    // start: ideal gas for vapour, a stiff liquid otherwise
    let P = branch === 'vapor' || T >= this.Tc ? rho * this.R * T : 1e6
    if (branch === 'liquid' && T < this.Tc) {
      const L = this.tmp
      this.satTfill(T, L, this.tmp2)
      P = L.p + (rho - L.rho) * L.dpdrho
    }
    // the vapour branch ends at the saturation pressure
    const Pcap = branch === 'vapor' && T < this.Tc ? I.psat4(T) * 1e6 : I.pmax * 1e6
    P = Math.min(Math.max(P, this.bounds.Pmin), Pcap)
    // rho(T, P) increases with P: Newton safeguarded by a bracket in P (the region boundaries
    // of IF97 are consistent only to their tolerances: a jump there ends in the bracket)
    let Plo = 0
    let Phi = branch === 'vapor' && T < this.Tc ? Pcap : Infinity
    for (let it = 0; it < 200; it++) {
      this.stateTP(T, P, branch, rho, o)
      const f = o.rho - rho
      if (Math.abs(f) <= 1e-13 * rho) return o
      if (f < 0) Plo = P
      else Phi = P
      let next = P - f * o.dpdrho
      if (Math.abs(next - P) <= 1e-13 * P) return o
      if (!(next > Plo && next < Phi)) next = Phi === Infinity ? 2 * P : 0.5 * (Plo + Phi)
      if (Phi < Infinity && Phi - Plo <= 1e-14 * Phi) return o
      if (next > 2 * I.pmax * 1e6) throw outOfRange('rho', rho, 0, o.rho)
      P = next
    }
    throw noConvergence('IF97 (T, rho)', { T, rho })
  }

  protected satTfill(T: number, L: TRhoProps, V: TRhoProps): number {
    const P = I.psat4(T) * 1e6
    if (T <= I.T13) {
      I.region1(T, P, L)
      I.region2(T, P, V)
    } else {
      I.region3(T, this.rho3(T, P, 'liquid', NaN), L)
      I.region3(T, this.rho3(T, P, 'vapor', NaN), V)
    }
    return P
  }

  protected satPCompute(P: number): void {
    const T = I.Tsat4(P / 1e6)
    if (T <= I.T13) {
      I.region1(T, P, this.cPL)
      I.region2(T, P, this.cPV)
    } else {
      I.region3(T, this.rho3(T, P, 'liquid', NaN), this.cPL)
      I.region3(T, this.rho3(T, P, 'vapor', NaN), this.cPV)
    }
    this.cP = P
    this.cPT = T
  }

  /** Backward equations T(p,h), T(p,s) of regions 1 and 2 (R7-97 Eqs. 11, 13, 22-27). */
  protected override guessT(P: number, y: number, k: YKind, branch: Branch): number {
    return if97GuessT(P, y, k, branch)
  }

  /** Newton in T at constant P on the forward equations (regions 1, 2, 5: no inner solve). */
  protected override fastPY(
    P: number,
    y: number,
    k: YKind,
    T0: number,
    branch: Branch,
    Tlo: number,
    Thi: number,
    o: TRhoProps,
  ): boolean {
    if (!(T0 > Tlo && T0 < Thi) || k === 'u') return false
    let T = T0
    const scale = k === 's' ? this.R : this.R * this.Tc
    const tol = 1e-13 * (Math.abs(y) + scale)
    const r0 = this.region(T, P, branch)
    if (r0 === 3) return false
    for (let it = 0; it < 6; it++) {
      const r = this.region(T, P, branch)
      if (r !== r0) return false
      if (r === 1) I.region1(T, P, o)
      else if (r === 2) I.region2(T, P, o)
      else I.region5(T, P, o)
      const f = (k === 'h' ? o.h : o.s) - y
      if (Math.abs(f) <= tol) return true
      const dy = k === 'h' ? o.cp : o.cp / T
      T -= f / dy
      if (!(T > Tlo && T < Thi)) return false
    }
    return false
  }
}

/**
 * IF97 backward temperature at (P [Pa], y) with y = h [J/kg] or s [J/(kg K)] on a branch;
 * NaN outside regions 1 and 2 (starting values only).
 */
export function if97GuessT(P: number, y: number, k: YKind, branch: Branch): number {
  if (k === 'u') return NaN
  const p = P / 1e6
  if (p > I.pmax) return NaN
  if (branch === 'liquid' || (branch === 'any' && p > I.pcMPa)) {
    const T = k === 'h' ? I.T1ph(P, y) : I.T1ps(P, y)
    return T <= I.T13 ? T : NaN
  }
  if (branch === 'vapor' || branch === 'any') {
    const T = k === 'h' ? I.T2ph(P, y) : I.T2ps(P, y)
    if (T > I.T25) return NaN
    if (T > I.T13 && p > I.pB23(T)) return NaN
    return T
  }
  return NaN
}

const satL = new TRhoProps()
const satV = new TRhoProps()
// a small ring of recent pressures (a flowsheet solve revisits a few): P, Tsat and the
// saturated h, s, u of both phases
const SAT_GUESS_RING = 16
const sgP = new Float64Array(SAT_GUESS_RING).fill(NaN)
const sgV = new Float64Array(SAT_GUESS_RING * 7)
let sgNext = 0
const sgOut = { T: 0, yL: 0, yV: 0 }
/**
 * IF97 saturation at P [Pa] below the region-1/3 boundary (Tsat <= 623.15 K): Tsat and y of
 * both phases (mass basis); null above. Starting values and quick phase decisions only. The
 * returned record is reused by the next call.
 */
export function if97SatGuess(P: number, k: YKind): { T: number; yL: number; yV: number } | null {
  let j = -1
  for (let i = 0; i < SAT_GUESS_RING; i++)
    if (sgP[i] === P) {
      j = i
      break
    }
  if (j < 0) {
    const p = P / 1e6
    if (!(p > 0) || p > I.psat4(I.T13)) return null
    const T = I.Tsat4(p)
    I.region1(T, P, satL)
    I.region2(T, P, satV)
    j = sgNext
    sgNext = (j + 1) % SAT_GUESS_RING
    sgP[j] = P
    const b = 7 * j
    sgV[b] = T
    sgV[b + 1] = satL.h
    sgV[b + 2] = satV.h
    sgV[b + 3] = satL.s
    sgV[b + 4] = satV.s
    sgV[b + 5] = satL.u
    sgV[b + 6] = satV.u
  }
  const b = 7 * j
  const o = k === 'h' ? 1 : k === 's' ? 3 : 5
  sgOut.T = sgV[b]
  sgOut.yL = sgV[b + o]
  sgOut.yV = sgV[b + o + 1]
  return sgOut
}

const rhoTmp = new TRhoProps()
/** IF97 density [kg/m3] at (T [K], P [Pa]) on a branch from regions 1 and 2; NaN elsewhere. */
export function if97GuessRho(T: number, P: number, branch: Branch): number {
  const p = P / 1e6
  if (!(p > 0) || p > I.pmax || T < I.Tmin) return NaN
  if (branch === 'liquid') return T <= I.T13 ? I.region1(T, P, rhoTmp).rho : NaN
  if (branch === 'vapor') {
    if (T > I.T25 || (T > I.T13 && p > I.pB23(T))) return NaN
    return I.region2(T, P, rhoTmp).rho
  }
  return NaN
}

/** IF97 region-4 saturation pressure [Pa] at T [K] (Eq. 30); a starting value. */
export function if97GuessPsat(T: number): number {
  return I.psat4(T) * 1e6
}
