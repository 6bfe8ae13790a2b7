/**
 * The `helmholtz` property package: flash routines, saturation and (P,h) derivatives over a
 * multi-parameter Helmholtz equation of state (IAPWS-95 for water, R6-95(2018)).
 * Internally mass basis (J/kg, J/(kg K)); the public ThermoState is molar (J/mol).
 */
import type { Envelope, EnvelopePoint } from '@rere/contract'
import { badInput, noConvergence, outOfRange, requireFinite } from '../errors.ts'
import type {
  Bounds,
  Derivative,
  PHDerivativeKey,
  Phase,
  PropertyPackage,
  PropsPH,
  Saturation,
  ThermoState,
} from '../types.ts'
import { HelmholtzEos } from './eos.ts'
import type { HelmholtzFluid } from './fluid.ts'
import { HelmholtzProps, TRhoProps } from './props.ts'

type Branch = 'liquid' | 'vapor' | 'any'
type YKind = 'h' | 's' | 'u'

/** Relative distance from the ancillary saturation pressure below which the exact
 * (Maxwell) saturation decides the phase; the ancillary equations are far better than this. */
const ANC_MARGIN = 2e-3
/** Below Tc - NEAR_CRIT_K the saturation Newton is well conditioned. */
const NEAR_CRIT_K = 1e-6

export interface HelmholtzOptions {
  name?: 'helmholtz'
  compound: string
  version: string
  bounds: Bounds
}

export class HelmholtzPackage implements PropertyPackage {
  readonly name = 'helmholtz' as const
  readonly compound: string
  readonly version: string
  readonly molarMass: number
  readonly critical: { T: number; P: number; rho: number }
  readonly triple: { T: number; P: number }
  readonly bounds: Bounds
  readonly fluid: HelmholtzFluid
  readonly props: HelmholtzProps

  private readonly M: number
  private readonly R: number
  private readonly Tc: number
  private readonly rhoc: number
  private readonly pc: number
  private readonly st = new TRhoProps()
  private readonly stL = new TRhoProps()
  private readonly stV = new TRhoProps()
  private readonly buf = new Float64Array(3)
  private readonly bufV = new Float64Array(3)
  // saturation cache at the last T
  private cT = NaN
  private cTp = 0
  private cTrl = 0
  private cTrv = 0
  // saturation cache at the last P (with the saturated phase properties)
  private cP = NaN
  private cPT = 0
  private readonly cPL = new TRhoProps()
  private readonly cPV = new TRhoProps()

  constructor(fluid: HelmholtzFluid, opts: HelmholtzOptions) {
    this.fluid = fluid
    this.props = new HelmholtzProps(new HelmholtzEos(fluid))
    this.compound = opts.compound
    this.version = opts.version
    this.bounds = opts.bounds
    this.M = fluid.M
    this.R = fluid.R
    this.Tc = fluid.Tc
    this.rhoc = fluid.rhoc
    this.molarMass = fluid.M
    this.props.pressure(fluid.Tc, fluid.rhoc, this.buf)
    this.pc = this.buf[0]
    this.critical = { T: fluid.Tc, P: this.pc, rho: fluid.rhoc }
    this.satT(fluid.Ttriple)
    this.triple = { T: fluid.Ttriple, P: this.cTp }
  }

  // ---------------------------------------------------------------- ancillary (guesses only)

  /** Ancillary saturation pressure [Pa] at T [K] (SR1-86 Eq. 1); a starting value only. */
  private ancP(T: number): number {
    const a = this.fluid.ancillary
    if (!a) return NaN
    const th = 1 - T / this.Tc
    let s = 0
    for (let i = 0; i < a.pA.length; i++) s += a.pA[i] * Math.pow(th, a.pE[i])
    return a.pc * Math.exp((this.Tc / T) * s)
  }

  private ancRhoL(T: number): number {
    const a = this.fluid.ancillary
    if (!a) return this.rhoc * 2
    const th = Math.max(1 - T / this.Tc, 0)
    let s = 1
    for (let i = 0; i < a.lB.length; i++) s += a.lB[i] * Math.pow(th, a.lE[i])
    return this.rhoc * s
  }

  private ancRhoV(T: number): number {
    const a = this.fluid.ancillary
    if (!a) return this.rhoc * 1e-3
    const th = Math.max(1 - T / this.Tc, 0)
    let s = 0
    for (let i = 0; i < a.vC.length; i++) s += a.vC[i] * Math.pow(th, a.vE[i])
    return this.rhoc * Math.exp(s)
  }

  /** Ancillary saturation temperature at P (Newton on the ancillary ps(T)). */
  private ancT(P: number): number {
    let T = this.Tc * 0.9
    const lp = Math.log(P)
    for (let i = 0; i < 50; i++) {
      const h = 1e-6 * T
      const f = Math.log(this.ancP(T)) - lp
      const df = (Math.log(this.ancP(T + h)) - Math.log(this.ancP(T - h))) / (2 * h)
      let dT = -f / df
      if (dT > 50) dT = 50
      if (dT < -50) dT = -50
      T += dT
      if (T >= this.Tc) T = this.Tc - 1e-9
      if (T < 100) T = 100
      if (Math.abs(dT) < 1e-9 * T) break
    }
    return T
  }

  // ---------------------------------------------------------------- saturation (Maxwell)

  /**
   * Phase equilibrium at T: equal pressure and Gibbs energy of both phases (Newton in the two
   * densities, started from the ancillary equations). Fills the T cache. No range checks.
   */
  private satT(T: number): void {
    if (T === this.cT) return
    if (T >= this.Tc - NEAR_CRIT_K) {
      this.props.pressure(T, this.rhoc, this.buf)
      this.cT = T
      this.cTp = this.buf[0]
      this.cTrl = this.rhoc
      this.cTrv = this.rhoc
      return
    }
    let rl = this.ancRhoL(T)
    let rv = this.ancRhoV(T)
    // warm start from a close cached solution (envelope sweeps, repeated calls)
    if (Math.abs(T - this.cT) < 0.5 && this.cTrl > this.cTrv) {
      rl = this.cTrl
      rv = this.cTrv
    }
    const bL = this.buf
    const bV = this.bufV
    let ok = false
    for (let it = 0; it < 100; it++) {
      this.props.pressure(T, rl, bL)
      this.props.pressure(T, rv, bV)
      const F1 = bL[0] - bV[0]
      const F2 = bL[2] - bV[2]
      const dL = bL[1]
      const dV = bV[1]
      const det = dL * dV * (1 / rl - 1 / rv)
      let a = ((F1 * dV) / rv - dV * F2) / det
      let b = ((dL * F1) / rl - dL * F2) / det
      if (!Number.isFinite(a) || !Number.isFinite(b)) break
      // keep both densities positive and ordered
      let lam = 1
      while (lam > 1e-4 && !(rv + lam * b > 0 && rl + lam * a > rv + lam * b)) lam /= 2
      a *= lam
      b *= lam
      rl += a
      rv += b
      if (Math.abs(a) < 1e-12 * rl && Math.abs(b) < 1e-12 * rv && lam === 1) {
        // quadratic convergence: one more step reaches machine precision
        if (ok) break
        ok = true
      }
    }
    if (!ok || !(rl > rv)) throw noConvergence('saturation at T', { T })
    // the vapour pressure is the well-conditioned one (the liquid's dp/drho is large)
    this.props.pressure(T, rv, bV)
    this.cT = T
    this.cTp = bV[0]
    this.cTrl = rl
    this.cTrv = rv
  }

  /**
   * Phase equilibrium at P: Newton in (T, rhoL, rhoV) on pL = P, pV = P, gL = gV.
   * Fills the P cache (Tsat and both saturated states). No range checks.
   */
  private satP(P: number): void {
    if (P === this.cP) return
    if (P >= this.pc) {
      this.props.eval(this.Tc, this.rhoc, this.cPL)
      this.props.eval(this.Tc, this.rhoc, this.cPV)
      this.cP = P
      this.cPT = this.Tc
      return
    }
    let T = this.ancT(P)
    let rl = this.ancRhoL(T)
    let rv = this.ancRhoV(T)
    const L = this.cPL
    const V = this.cPV
    let ok = false
    for (let it = 0; it < 100; it++) {
      if (T > this.Tc - NEAR_CRIT_K) T = this.Tc - NEAR_CRIT_K
      this.props.eval(T, rl, L)
      this.props.eval(T, rv, V)
      const F1 = L.p - P
      const F2 = V.p - P
      const F3 = L.g - V.g
      let dT = (F1 / rl - F2 / rv - F3) / (V.s - L.s)
      let drl = (-F1 - L.dpdT * dT) / L.dpdrho
      let drv = (-F2 - V.dpdT * dT) / V.dpdrho
      if (!Number.isFinite(dT + drl + drv)) break
      let lam = 1
      while (
        lam > 1e-4 &&
        !(rv + lam * drv > 0 && rl + lam * drl > rv + lam * drv && T + lam * dT < this.Tc)
      )
        lam /= 2
      dT *= lam
      drl *= lam
      drv *= lam
      T += dT
      rl += drl
      rv += drv
      if (Math.abs(dT) < 1e-13 * T && Math.abs(drl) < 1e-12 * rl && Math.abs(drv) < 1e-12 * rv) {
        ok = true
        break
      }
    }
    if (!ok) throw noConvergence('saturation at P', { P })
    this.props.eval(T, rl, L)
    this.props.eval(T, rv, V)
    this.cP = P
    this.cPT = T
  }

  // ---------------------------------------------------------------- density at (T, P)

  /**
   * Density on a given branch at (T, P): Newton safeguarded by bisection. The bracket keeps
   * the iteration on the branch (liquid: rho > rhoc, vapour: rho < rhoc) and away from the
   * metastable and unstable parts of the isotherm (dp/drho <= 0 moves the bracket).
   */
  private solveRho(T: number, P: number, branch: Branch, guess: number): number {
    let lo = branch === 'liquid' ? this.rhoc : 0
    let hi = branch === 'vapor' ? this.rhoc : 5 * this.rhoc
    let rho = guess > lo && guess < hi ? guess : branch === 'vapor' ? 0.5 * hi : 0.5 * (lo + hi)
    const b = this.buf
    for (let it = 0; it < 200; it++) {
      this.props.pressure(T, rho, b)
      const f = b[0] - P
      const dp = b[1]
      if (dp > 0) {
        if (f < 0) lo = rho
        else hi = rho
      } else if (branch === 'vapor') hi = rho
      else lo = rho
      if (Math.abs(f) <= 1e-14 * P) return rho
      let next = rho - f / dp
      if (!(dp > 0) || !(next > lo && next < hi)) next = 0.5 * (lo + hi)
      if (Math.abs(next - rho) <= 2e-16 * rho) return rho
      rho = next
    }
    if (hi === 5 * this.rhoc) throw outOfRange('P', P, this.bounds.Pmin, this.bounds.Pmax)
    throw noConvergence('density from (T, P)', { T, P, branch })
  }

  // ---------------------------------------------------------------- states

  private single(o: TRhoProps, P?: number): ThermoState {
    const M = this.M
    let phase: Phase
    let x: number | null
    const p = P ?? o.p
    if (o.T >= this.Tc) {
      phase = p >= this.pc ? 'supercritical' : 'vapor'
      x = p >= this.pc ? null : 1
    } else if (o.rho >= this.rhoc) {
      phase = 'liquid'
      x = 0
    } else {
      phase = 'vapor'
      x = 1
    }
    return {
      T: o.T,
      P: p,
      rho: o.rho,
      h: o.h * M,
      s: o.s * M,
      u: o.u * M,
      g: o.g * M,
      cp: finiteOrNull(o.cp * M),
      cv: finiteOrNull(o.cv * M),
      w: finiteOrNull(o.w),
      x,
      phase,
      hMass: o.h,
      sMass: o.s,
    }
  }

  private mix(L: TRhoProps, V: TRhoProps, x: number, P: number): ThermoState {
    if (x === 0) return { ...this.single(L, P), phase: 'liquid', x: 0 }
    if (x === 1) return { ...this.single(V, P), phase: 'vapor', x: 1 }
    const M = this.M
    const v = (1 - x) / L.rho + x / V.rho
    const h = L.h + x * (V.h - L.h)
    const s = L.s + x * (V.s - L.s)
    return {
      T: L.T,
      P,
      rho: 1 / v,
      h: h * M,
      s: s * M,
      u: (h - P * v) * M,
      g: L.g * M,
      cp: null,
      cv: null,
      w: null,
      x,
      phase: 'two-phase',
      hMass: h,
      sMass: s,
    }
  }

  // ---------------------------------------------------------------- input checks

  private checkT(T: number, min = this.bounds.Tmin, max = this.bounds.Tmax): void {
    requireFinite('T', T)
    if (T < min || T > max) throw outOfRange('T', T, min, max)
  }

  private checkP(P: number, min = this.bounds.Pmin, max = this.bounds.Pmax): void {
    requireFinite('P', P)
    if (P <= 0) throw badInput('P', P, `P must be positive, got ${P} Pa`)
    if (P < min || P > max) throw outOfRange('P', P, min, max)
  }

  private checkX(x: number): void {
    requireFinite('x', x)
    if (x < 0 || x > 1) throw badInput('x', x, `x must be within 0..1, got ${x}`)
  }

  // ---------------------------------------------------------------- flashes

  /**
   * (T, P) flash: the stable phase at T and P (IAPWS-95). On the saturation line itself
   * (P equal to psat(T) within 1e-12) the saturated liquid is returned.
   * @param T - temperature [K]
   * @param P - pressure [Pa]
   */
  flashTP(T: number, P: number): ThermoState {
    this.checkT(T)
    this.checkP(P)
    const rho = this.rhoTP(T, P)
    return this.single(this.props.eval(T, rho, this.st), P)
  }

  /** Stable density at (T, P) [kg/m3]. */
  private rhoTP(T: number, P: number): number {
    if (T >= this.Tc) return this.solveRho(T, P, 'any', Math.min(P / (this.R * T), this.rhoc))
    const pa = this.ancP(T)
    let liquid: boolean
    let gl = this.ancRhoL(T)
    if (Math.abs(P - pa) > ANC_MARGIN * pa && T < this.Tc - 1) liquid = P > pa
    else {
      this.satT(T)
      liquid = P >= this.cTp
      gl = this.cTrl
    }
    return liquid
      ? this.solveRho(T, P, 'liquid', gl)
      : this.solveRho(T, P, 'vapor', P / (this.R * T))
  }

  /**
   * (P, h) flash.
   * @param P - pressure [Pa]
   * @param h - molar enthalpy [J/mol]
   */
  flashPH(P: number, h: number): ThermoState {
    requireFinite('h', h)
    this.checkP(P)
    return this.flashPY(P, h / this.M, 'h')
  }

  /**
   * (P, s) flash.
   * @param P - pressure [Pa]
   * @param s - molar entropy [J/(mol K)]
   */
  flashPS(P: number, s: number): ThermoState {
    requireFinite('s', s)
    this.checkP(P)
    return this.flashPY(P, s / this.M, 's')
  }

  /**
   * (P, u) flash.
   * @param P - pressure [Pa]
   * @param u - molar internal energy [J/mol]
   */
  flashPU(P: number, u: number): ThermoState {
    requireFinite('u', u)
    this.checkP(P)
    return this.flashPY(P, u / this.M, 'u')
  }

  private yOf(o: TRhoProps, k: YKind): number {
    return k === 'h' ? o.h : k === 's' ? o.s : o.u
  }

  /** (dy/dT) at constant P */
  private dyOf(o: TRhoProps, k: YKind): number {
    const drdT = -o.dpdT / o.dpdrho
    if (k === 'h') return o.dhdT + o.dhdrho * drdT
    if (k === 's') return o.dsdT + o.dsdrho * drdT
    return o.dudT + o.dudrho * drdT
  }

  /** Single-phase or two-phase state at P with y (mass basis h, s or u) given. */
  private flashPY(P: number, y: number, k: YKind): ThermoState {
    const { Tmin, Tmax } = this.bounds
    const st = this.st
    let Tlo = Tmin
    let Thi = Tmax
    let T: number
    let rho: number
    let branch: Branch = 'any'
    if (P < this.triple.P) {
      // below the triple-point pressure the fluid is vapour at every T >= Tmin
      branch = 'vapor'
      T = this.Tc
      rho = P / (this.R * T)
    } else if (P < this.pc) {
      this.satP(P)
      const yL = this.yOf(this.cPL, k)
      const yV = this.yOf(this.cPV, k)
      if (y >= yL && y <= yV) {
        const x = yV === yL ? 0 : (y - yL) / (yV - yL)
        return this.mix(this.cPL, this.cPV, x, P)
      }
      const Ts = this.cPT
      if (y < yL) {
        branch = 'liquid'
        Thi = Ts
        const dy = this.dyOf(this.cPL, k)
        T = Ts + (y - yL) / (dy > 0 ? dy : 1e3)
        rho = this.cPL.rho
      } else {
        branch = 'vapor'
        Tlo = Ts
        const dy = this.dyOf(this.cPV, k)
        T = Ts + (y - yV) / (dy > 0 ? dy : 1e3)
        rho = this.cPV.rho
      }
    } else {
      T = this.Tc
      rho = this.rhoc
    }
    let yLo = NaN // y at Tlo if evaluated
    let yHi = NaN
    const scale = k === 's' ? this.R : this.R * this.Tc
    const tol = 1e-13 * (Math.abs(y) + scale)
    for (let it = 0; it < 100; it++) {
      if (!(T > Tlo)) T = Tlo
      if (!(T < Thi)) T = Thi
      const br: Branch = branch === 'any' ? (T < this.Tc ? 'liquid' : 'any') : branch
      rho = this.solveRho(T, P, br, rho)
      this.props.eval(T, rho, st)
      const f = this.yOf(st, k) - y
      if ((T === Tmin && f > 0) || (T === Tmax && f < 0)) {
        const lo = yAt(this, Tmin)
        const hi = yAt(this, Tmax)
        throw outOfRange(k, y * this.M, lo, hi)
      }
      if (Math.abs(f) <= tol) return this.single(st, P)
      if (f < 0) {
        Tlo = T
        yLo = f
      } else {
        Thi = T
        yHi = f
      }
      const dy = this.dyOf(st, k)
      let next = T - f / dy
      if (!(dy > 0) || !(next > Tlo && next < Thi)) {
        if (next <= Tlo && Tlo === Tmin && Number.isNaN(yLo)) next = Tmin
        else if (next >= Thi && Thi === Tmax && Number.isNaN(yHi)) next = Tmax
        else next = 0.5 * (Tlo + Thi)
      }
      if (Math.abs(next - T) <= 1e-15 * T) return this.single(st, P)
      T = next
    }
    throw noConvergence(`(P, ${k}) flash`, { P, [k]: y * this.M })

    function yAt(self: HelmholtzPackage, Tb: number): number {
      const r = self.rhoTP(Tb, P)
      return self.yOf(self.props.eval(Tb, r, self.stL), k) * self.M
    }
  }

  /**
   * Saturated mixture at T with vapour fraction x.
   * @param T - temperature [K], triple point .. critical point
   * @param x - vapour fraction [-]
   */
  flashTx(T: number, x: number): ThermoState {
    this.checkT(T, this.triple.T, this.Tc)
    this.checkX(x)
    const sat = this.saturationT(T)
    return this.mixStates(sat, x)
  }

  /**
   * Saturated mixture at P with vapour fraction x.
   * @param P - pressure [Pa], triple point .. critical point
   * @param x - vapour fraction [-]
   */
  flashPx(P: number, x: number): ThermoState {
    this.checkP(P, this.triple.P, this.pc)
    this.checkX(x)
    this.satP(P)
    return this.mix(this.cPL, this.cPV, x, P)
  }

  private mixStates(sat: Saturation, x: number): ThermoState {
    this.props.eval(sat.T, sat.liquid.rho, this.stL)
    this.props.eval(sat.T, sat.vapor.rho, this.stV)
    return this.mix(this.stL, this.stV, x, sat.P)
  }

  /**
   * (T, rho) flash; inside the dome a mixture of the saturated phases.
   * @param T - temperature [K]
   * @param rhoMass - mass density [kg/m3]
   */
  flashTRho(T: number, rhoMass: number): ThermoState {
    this.checkT(T)
    requireFinite('rho', rhoMass)
    if (rhoMass <= 0) throw badInput('rho', rhoMass, `rho must be positive, got ${rhoMass}`)
    if (T < this.Tc) {
      const rl = this.ancRhoL(T)
      const rv = this.ancRhoV(T)
      if (rhoMass < rl * (1 + ANC_MARGIN) && rhoMass > rv * (1 - ANC_MARGIN)) {
        this.satT(T)
        if (rhoMass < this.cTrl && rhoMass > this.cTrv) {
          this.props.eval(T, this.cTrl, this.stL)
          this.props.eval(T, this.cTrv, this.stV)
          const v = 1 / rhoMass
          const x = (v - 1 / this.cTrl) / (1 / this.cTrv - 1 / this.cTrl)
          return this.mix(this.stL, this.stV, x, this.cTp)
        }
      }
    }
    const o = this.props.eval(T, rhoMass, this.st)
    if (!(o.p >= this.bounds.Pmin && o.p <= this.bounds.Pmax))
      throw outOfRange('P', o.p, this.bounds.Pmin, this.bounds.Pmax)
    return this.single(o)
  }

  // ---------------------------------------------------------------- saturation API

  /**
   * Saturated liquid and vapour at T (Maxwell construction on IAPWS-95).
   * @param T - temperature [K], triple point .. critical point
   */
  saturationT(T: number): Saturation {
    this.checkT(T, this.triple.T, this.Tc)
    this.satT(T)
    const L = this.props.eval(T, this.cTrl, this.stL)
    const l = this.single(L, this.cTp)
    const V = this.props.eval(T, this.cTrv, this.stV)
    const v = this.single(V, this.cTp)
    return {
      T,
      P: this.cTp,
      liquid: { ...l, phase: 'liquid', x: 0 },
      vapor: { ...v, phase: 'vapor', x: 1 },
    }
  }

  /**
   * Saturated liquid and vapour at P.
   * @param P - pressure [Pa], triple point .. critical point
   */
  saturationP(P: number): Saturation {
    this.checkP(P, this.triple.P, this.pc)
    this.satP(P)
    const l = this.single(this.cPL, P)
    const v = this.single(this.cPV, P)
    return {
      T: this.cPT,
      P,
      liquid: { ...l, phase: 'liquid', x: 0 },
      vapor: { ...v, phase: 'vapor', x: 1 },
    }
  }

  /**
   * The saturation curve from the triple point to the critical point, points closer together
   * near the critical point.
   * @param n - number of points (2..5000)
   */
  envelope(n = 200): Envelope {
    requireFinite('n', n)
    if (!Number.isInteger(n) || n < 2 || n > 5000)
      throw badInput('n', n, `n must be an integer within 2..5000, got ${n}`)
    const points: EnvelopePoint[] = []
    const Tt = this.triple.T
    const M = this.M
    for (let i = 0; i < n - 1; i++) {
      const f = i / (n - 1)
      const T = this.Tc - (this.Tc - Tt) * (1 - f) * (1 - f)
      this.satT(T)
      const L = this.props.eval(T, this.cTrl, this.stL)
      const V = this.props.eval(T, this.cTrv, this.stV)
      points.push({
        T,
        P: this.cTp,
        rhoLiq: this.cTrl,
        rhoVap: this.cTrv,
        hLiq: L.h * M,
        hVap: V.h * M,
        sLiq: L.s * M,
        sVap: V.s * M,
      })
    }
    const c = this.props.eval(this.Tc, this.rhoc, this.st)
    points.push({
      T: this.Tc,
      P: this.pc,
      rhoLiq: this.rhoc,
      rhoVap: this.rhoc,
      hLiq: c.h * M,
      hVap: c.h * M,
      sLiq: c.s * M,
      sVap: c.s * M,
    })
    return {
      package: this.name,
      compound: this.compound,
      critical: { T: this.Tc, P: this.pc, rho: this.rhoc, h: c.h * M, s: c.s * M },
      points,
    }
  }

  // ---------------------------------------------------------------- (P,h) with derivatives

  /**
   * (P, h) flash with exact first derivatives of T, rho, s, x, u with respect to P [Pa] and
   * h [J/mol] (implicit differentiation of the Helmholtz EOS; in the dome Clausius-Clapeyron
   * and the lever rule). cp: single phase only (0 in the dome, where cp is null), from a
   * fourth-order central difference of cp(T, rho).
   * @param P - pressure [Pa]
   * @param h - molar enthalpy [J/mol]
   */
  propsPH(P: number, h: number): PropsPH {
    const state = this.flashPH(P, h)
    const M = this.M
    const d = {} as Record<PHDerivativeKey, Derivative>
    if (state.phase !== 'two-phase') {
      const o = this.props.eval(state.T, state.rho, this.st)
      // [pT pr; hT hr] [dT; drho] = [dP; dh]  (h mass basis)
      const det = o.dpdT * o.dhdrho - o.dpdrho * o.dhdT
      const TP = o.dhdrho / det
      const Th = -o.dpdrho / det
      const rP = -o.dhdT / det
      const rh = o.dpdT / det
      const chain = (fT: number, fr: number): Derivative => ({
        dP: fT * TP + fr * rP,
        dh: (fT * Th + fr * rh) / M,
      })
      d.T = { dP: TP, dh: Th / M }
      d.rho = { dP: rP, dh: rh / M }
      d.s = chain(o.dsdT * M, o.dsdrho * M)
      d.u = chain(o.dudT * M, o.dudrho * M)
      d.x = { dP: 0, dh: 0 }
      const T = o.T
      const r = o.rho
      const eT = 1e-4 * T
      const er = 1e-4 * r
      const cp = (TT: number, rr: number) => this.props.eval(TT, rr, this.stL).cp * M
      const cpT =
        (8 * (cp(T + eT, r) - cp(T - eT, r)) - cp(T + 2 * eT, r) + cp(T - 2 * eT, r)) / (12 * eT)
      const cpr =
        (8 * (cp(T, r + er) - cp(T, r - er)) - cp(T, r + 2 * er) + cp(T, r - 2 * er)) / (12 * er)
      d.cp = chain(cpT, cpr)
      return { state, d }
    }
    // two-phase: T = Tsat(P), x = (h - hL)/(hV - hL)
    this.satP(P)
    const L = this.cPL
    const V = this.cPV
    const x = state.x as number
    const vL = 1 / L.rho
    const vV = 1 / V.rho
    const dTs = (vV - vL) / (V.s - L.s) // Clausius-Clapeyron dTsat/dP
    const along = (o: TRhoProps) => {
      // derivatives along the saturation curve w.r.t. P
      const drho = (1 - o.dpdT * dTs) / o.dpdrho
      return {
        drho,
        dh: o.dhdT * dTs + o.dhdrho * drho,
        ds: o.dsdT * dTs + o.dsdrho * drho,
      }
    }
    const aL = along(L)
    const aV = along(V)
    const hfg = V.h - L.h
    const xP = -((1 - x) * aL.dh + x * aV.dh) / hfg
    const xh = 1 / hfg // per J/kg
    const dvL = -aL.drho / (L.rho * L.rho)
    const dvV = -aV.drho / (V.rho * V.rho)
    const vP = (1 - x) * dvL + x * dvV + (vV - vL) * xP
    const vh = (vV - vL) * xh
    const v = (1 - x) * vL + x * vV
    const rho2 = -1 / (v * v)
    const sP = (1 - x) * aL.ds + x * aV.ds + (V.s - L.s) * xP
    const sh = (V.s - L.s) * xh
    d.T = { dP: dTs, dh: 0 }
    d.x = { dP: xP, dh: xh / M }
    d.rho = { dP: rho2 * vP, dh: (rho2 * vh) / M }
    d.s = { dP: sP * M, dh: sh }
    // u = h - P v (mass basis)  ->  du = dh - v dP - P dv
    d.u = { dP: (-v - P * vP) * M, dh: 1 - P * vh }
    d.cp = { dP: 0, dh: 0 }
    return { state, d }
  }
}

function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null
}
