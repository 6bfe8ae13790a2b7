/**
 * The flash layer shared by the property packages: input checks, (P,h), (P,s), (P,u) flashes by
 * a safeguarded Newton iteration in T at constant P (with an optional fast 2-D Newton), two-phase
 * mixtures of the saturated phases, (T,x), (P,x), (T,rho) flashes, saturation, the envelope and
 * the exact (P,h) derivatives. A package supplies single-phase states at (T,P) on a branch,
 * at (T,rho), and the saturated phases at T or P. Internally mass basis; results molar.
 */
import type { Envelope, EnvelopePoint } from '@rere/contract'
import { badInput, noConvergence, outOfRange, requireFinite } from './errors.ts'
import { TRhoProps } from './helmholtz/props.ts'
import type {
  Bounds,
  Derivative,
  PHDerivativeKey,
  Phase,
  PropertyPackage,
  PropsPH,
  Saturation,
  ThermoState,
} from './types.ts'

const SAT_RING = 16

export type Branch = 'liquid' | 'vapor' | 'any'
export type YKind = 'h' | 's' | 'u'

export interface PackageInfo {
  name: 'helmholtz' | 'if97'
  compound: string
  version: string
  bounds: Bounds
  /** molar mass [kg/mol] */
  M: number
  /** gas constant used for scales and ideal-gas guesses [J/(kg K)] */
  R: number
  Tc: number
  pc: number
  rhoc: number
  triple: { T: number; P: number }
}

export abstract class FlashPackage implements PropertyPackage {
  readonly name: 'helmholtz' | 'if97'
  readonly compound: string
  readonly version: string
  readonly molarMass: number
  readonly critical: { T: number; P: number; rho: number }
  readonly triple: { T: number; P: number }
  readonly bounds: Bounds

  protected readonly M: number
  protected readonly R: number
  protected readonly Tc: number
  protected readonly rhoc: number
  protected readonly pc: number
  protected readonly st = new TRhoProps()
  protected readonly stL = new TRhoProps()
  protected readonly stV = new TRhoProps()
  // saturation cache at the last P (Tsat and both saturated states), filled by satP
  protected cP = NaN
  protected cPT = 0
  protected readonly cPL = new TRhoProps()
  protected readonly cPV = new TRhoProps()

  constructor(info: PackageInfo) {
    this.name = info.name
    this.compound = info.compound
    this.version = info.version
    this.bounds = info.bounds
    this.M = info.M
    this.molarMass = info.M
    this.R = info.R
    this.Tc = info.Tc
    this.pc = info.pc
    this.rhoc = info.rhoc
    this.critical = { T: info.Tc, P: info.pc, rho: info.rhoc }
    this.triple = info.triple
  }

  /** true when stateTRho is a direct evaluation (no iteration) */
  protected readonly cheapTRho: boolean = false
  /** Single-phase state at (T [K], P [Pa]) on a branch; rhoGuess [kg/m3] may be NaN. */
  protected abstract stateTP(
    T: number,
    P: number,
    branch: Branch,
    rhoGuess: number,
    o: TRhoProps,
  ): TRhoProps
  /** The stable single-phase state at (T, P) (the phase decided by the saturation line). */
  protected abstract stableTP(T: number, P: number, o: TRhoProps): TRhoProps
  /** Single-phase state at (T [K], rho [kg/m3]); not called inside the dome. */
  protected abstract stateTRho(T: number, rho: number, o: TRhoProps): TRhoProps
  /** Saturated phases at T (T < Tc) into L and V; returns the saturation pressure [Pa]. */
  protected abstract satTfill(T: number, L: TRhoProps, V: TRhoProps): number
  /** Saturation at P (P < pc): fill cP, cPT, cPL, cPV. */
  protected abstract satPCompute(P: number): void

  // a small ring of recent saturation states (a flowsheet solve revisits a few pressures)
  private readonly ringP = new Float64Array(SAT_RING).fill(NaN)
  private readonly ringT = new Float64Array(SAT_RING)
  private readonly ringL = Array.from({ length: SAT_RING }, () => new TRhoProps())
  private readonly ringV = Array.from({ length: SAT_RING }, () => new TRhoProps())
  private ringNext = 0

  /** Saturation at P (P < pc) into cP, cPT, cPL, cPV, from the cache when possible. */
  protected satP(P: number): void {
    if (P === this.cP) return
    for (let i = 0; i < SAT_RING; i++)
      if (this.ringP[i] === P) {
        Object.assign(this.cPL, this.ringL[i])
        Object.assign(this.cPV, this.ringV[i])
        this.cPT = this.ringT[i]
        this.cP = P
        return
      }
    this.satPCompute(P)
    const i = this.ringNext
    this.ringNext = (i + 1) % SAT_RING
    this.ringP[i] = P
    this.ringT[i] = this.cPT
    Object.assign(this.ringL[i], this.cPL)
    Object.assign(this.ringV[i], this.cPV)
  }
  /** dTsat/dP [K/Pa] along the saturation line (Clausius-Clapeyron by default). */
  protected dTsatdP(_P: number, L: TRhoProps, V: TRhoProps): number {
    return (1 / V.rho - 1 / L.rho) / (V.s - L.s)
  }
  /** Exact (dcp/dT)_rho, (dcp/drho)_T (mass basis) at (T, rho), or null (then differences). */
  protected cpPartials(_T: number, _rho: number): [number, number] | null {
    return null
  }
  /**
   * The lowest temperature [K] supported at P [Pa] (default bounds.Tmin) and a note naming the
   * bound for error messages.
   */
  protected tMinAt(_P: number): { T: number; note: string } {
    return { T: this.bounds.Tmin, note: '' }
  }
  /**
   * The lowest temperature [K] of accepted metastable supercooled liquid at P [Pa], below
   * tMinAt(P); NaN when none is accepted (default).
   */
  protected supercooledTMinAt(_P: number): number {
    return NaN
  }
  /** The note naming the supercooled-liquid limit Tsc [K] at P [Pa] for error messages. */
  protected supercooledNote(Tsc: number, P: number, Tstable: number): string {
    return (
      `below the supercooled-liquid limit ${Tsc} K at P = ${P} Pa; metastable liquid is ` +
      `accepted from ${Tstable} K down to it (docs/thermo.md)`
    )
  }
  /** The single-phase state o at P, marked metastable supercooled liquid when T < Tstable. */
  protected singleAt(o: TRhoProps, P: number, Tstable: number): ThermoState {
    const s = this.single(o, P)
    if (!(o.T < Tstable)) return s
    if (s.phase !== 'liquid')
      throw outOfRange('T', o.T, Tstable, this.bounds.Tmax, `${s.phase} below ${Tstable} K`)
    return { ...s, metastable: 'supercooled-liquid' }
  }
  /**
   * True when T [K] is surely above every lower temperature bound at P [Pa] (melting line,
   * supercooled limit), so the (T,P) flash may skip computing them; false when unsure (default).
   */
  protected aboveAnyMeltingLine(_T: number, _P: number): boolean {
    return false
  }
  /** Throws THERMO_OUT_OF_RANGE when T is below the lowest temperature at P (checked T, P). */
  protected checkTAtP(T: number, P: number): void {
    const m = this.tMinAt(P)
    if (T < m.T) throw outOfRange('T', T, m.T, this.bounds.Tmax, m.note)
  }
  /** The highest temperature [K] supported at P [Pa]. */
  protected tMaxAt(_P: number): number {
    return this.bounds.Tmax
  }
  /** An initial temperature for a (P, y) flash on a branch, NaN if none. */
  protected guessT(_P: number, _y: number, _k: YKind, _branch: Branch): number {
    return NaN
  }
  /**
   * Optional quick phase decision at P < pc without the exact saturation: 'liquid' or 'vapor'
   * with an approximate Tsat [K] when y is clearly away from the dome, else null.
   */
  protected quickSide(_P: number, _y: number, _k: YKind): { branch: Branch; Tsat: number } | null {
    return null
  }
  /**
   * Optional fast path: Newton from (T, rho) straight to (P, y); true if it converged to a
   * state on the branch (written to o). The caller falls back to the safeguarded iteration.
   */
  protected fastPY(
    _P: number,
    _y: number,
    _k: YKind,
    _T: number,
    _branch: Branch,
    _Tlo: number,
    _Thi: number,
    _o: TRhoProps,
  ): boolean {
    return false
  }

  protected single(o: TRhoProps, P?: number): ThermoState {
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

  protected mix(L: TRhoProps, V: TRhoProps, x: number, P: number): ThermoState {
    // keep the state of a saturated single phase where propsPH expects the flash result
    if (x === 0) Object.assign(this.st, L)
    else if (x === 1) Object.assign(this.st, V)
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

  protected checkT(T: number, min = this.bounds.Tmin, max = this.bounds.Tmax): void {
    requireFinite('T', T)
    if (T < min || T > max) throw outOfRange('T', T, min, max)
  }

  protected checkP(P: number, min = this.bounds.Pmin, max = this.bounds.Pmax): void {
    requireFinite('P', P)
    if (P <= 0) throw badInput('P', P, `P must be positive, got ${P} Pa`)
    if (P < min || P > max) throw outOfRange('P', P, min, max)
  }

  protected checkX(x: number): void {
    requireFinite('x', x)
    if (x < 0 || x > 1) throw badInput('x', x, `x must be within 0..1, got ${x}`)
  }

  // ---------------------------------------------------------------- flashes

  /**
   * (T, P) flash: the stable phase at T and P. On the saturation line itself the saturated
   * liquid is returned.
   * @param T - temperature [K]
   * @param P - pressure [Pa]
   */
  flashTP(T: number, P: number): ThermoState {
    requireFinite('T', T)
    this.checkP(P)
    if (this.aboveAnyMeltingLine(T, P)) {
      this.checkT(T)
      return this.single(this.stableTP(T, P, this.st), P)
    }
    const sc = this.supercooledTMinAt(P)
    const m = this.tMinAt(P)
    if (T < sc) throw outOfRange('T', T, sc, this.bounds.Tmax, this.supercooledNote(sc, P, m.T))
    this.checkT(T, T < this.bounds.Tmin && T >= sc ? sc : this.bounds.Tmin)
    if (T < m.T) {
      // metastable supercooled liquid (only above the triple-point pressure: liquid branch)
      if (T >= sc) return this.singleAt(this.stateTP(T, P, 'liquid', NaN, this.st), P, m.T)
      throw outOfRange('T', T, m.T, this.bounds.Tmax, m.note)
    }
    return this.single(this.stableTP(T, P, this.st), P)
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

  protected yOf(o: TRhoProps, k: YKind): number {
    return k === 'h' ? o.h : k === 's' ? o.s : o.u
  }

  /** (dy/dT) at constant P */
  protected dyOf(o: TRhoProps, k: YKind): number {
    const drdT = -o.dpdT / o.dpdrho
    if (k === 'h') return o.dhdT + o.dhdrho * drdT
    if (k === 's') return o.dsdT + o.dsdrho * drdT
    return o.dudT + o.dudrho * drdT
  }

  /** Single-phase or two-phase state at P with y (mass basis h, s or u) given. */
  protected flashPY(P: number, y: number, k: YKind): ThermoState {
    const tm0 = this.tMinAt(P)
    const sc = this.supercooledTMinAt(P)
    // below the melting line: metastable supercooled liquid down to sc where accepted
    const tm = sc < tm0.T ? { T: sc, note: this.supercooledNote(sc, P, tm0.T) } : tm0
    const Tmin = tm.T
    const Tmax = this.tMaxAt(P)
    const st = this.st
    let Tlo = Tmin
    let Thi = Tmax
    let T: number
    let rho: number
    let branch: Branch = 'any'
    let quick: { branch: Branch; Tsat: number } | null = null
    if (P < this.triple.P) {
      // below the triple-point pressure the fluid is vapour at every T >= Tmin
      branch = 'vapor'
      T = this.Tc
      rho = P / (this.R * T)
    } else if (P < this.pc && (quick = this.quickSide(P, y, k)) !== null) {
      branch = quick.branch
      if (branch === 'liquid') Thi = Math.min(quick.Tsat + 1, this.Tc)
      else Tlo = Math.max(quick.Tsat - 1, Tmin)
      T = quick.Tsat
      rho = NaN
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
    const g = this.guessT(P, y, k, branch)
    if (g > Tlo && g < Thi) T = g
    if (this.fastPY(P, y, k, T, branch, Tlo, Thi, st)) return this.singleAt(st, P, tm0.T)
    let yLo = NaN // y at Tlo if evaluated
    let yHi = NaN
    const scale = k === 's' ? this.R : this.R * this.Tc
    const tol = 1e-13 * (Math.abs(y) + scale)
    for (let it = 0; it < 100; it++) {
      if (!(T > Tlo)) T = Tlo
      if (!(T < Thi)) T = Thi
      const br: Branch = branch === 'any' ? (T < this.Tc ? 'liquid' : 'any') : branch
      this.stateTP(T, P, br, rho, st)
      rho = st.rho
      const f = this.yOf(st, k) - y
      if ((T === Tmin && f > 0) || (T === Tmax && f < 0)) {
        const lo = yAt(this, Tmin)
        const hi = yAt(this, Tmax)
        throw outOfRange(k, y * this.M, lo, hi, tm.note)
      }
      if (Math.abs(f) <= tol) return this.singleAt(st, P, tm0.T)
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
      if (Math.abs(next - T) <= 1e-15 * T) return this.singleAt(st, P, tm0.T)
      T = next
    }
    throw noConvergence(`(P, ${k}) flash`, { P, [k]: y * this.M })

    function yAt(self: FlashPackage, Tb: number): number {
      return self.yOf(self.stableTP(Tb, P, self.stL), k) * self.M
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
    if (T >= this.Tc) return this.mix(this.stateTRho(T, this.rhoc, this.stL), this.stL, 0, this.pc)
    const p = this.satTfill(T, this.stL, this.stV)
    return this.mix(this.stL, this.stV, x, p)
  }

  /**
   * Saturated mixture at P with vapour fraction x.
   * @param P - pressure [Pa], triple point .. critical point
   * @param x - vapour fraction [-]
   */
  flashPx(P: number, x: number): ThermoState {
    this.checkP(P, this.triple.P, this.pc)
    this.checkX(x)
    if (P >= this.pc) return this.flashTx(this.Tc, x)
    this.satP(P)
    return this.mix(this.cPL, this.cPV, x, P)
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
    // below the lowest temperature of the low-pressure states there is no vapour-liquid
    // equilibrium (compressed liquid down to the melting line only; the melting check decides)
    if (T < this.Tc && T >= this.tMinAt(this.bounds.Pmin).T) {
      const p = this.satTfill(T, this.stL, this.stV)
      if (rhoMass < this.stL.rho && rhoMass > this.stV.rho) {
        const v = 1 / rhoMass
        const x = (v - 1 / this.stL.rho) / (1 / this.stV.rho - 1 / this.stL.rho)
        return this.mix(this.stL, this.stV, x, p)
      }
    }
    const o = this.stateTRho(T, rhoMass, this.st)
    // the pressure a density implies may round a little beyond the bounds at their edge
    if (!(o.p >= this.bounds.Pmin * (1 - 1e-9) && o.p <= this.bounds.Pmax * (1 + 1e-9)))
      throw outOfRange('rho', rhoMass, 0, this.stableTP(T, this.bounds.Pmax, this.stV).rho)
    this.checkTAtP(T, o.p)
    return this.single(o)
  }

  // ---------------------------------------------------------------- saturation API

  /**
   * Saturated liquid and vapour at T (Maxwell construction on IAPWS-95).
   * @param T - temperature [K], triple point .. critical point
   */
  saturationT(T: number): Saturation {
    this.checkT(T, this.triple.T, this.Tc)
    let p: number
    if (T >= this.Tc) {
      this.stateTRho(this.Tc, this.rhoc, this.stL)
      this.stateTRho(this.Tc, this.rhoc, this.stV)
      p = this.pc
    } else p = this.satTfill(T, this.stL, this.stV)
    const l = this.single(this.stL, p)
    const v = this.single(this.stV, p)
    return {
      T,
      P: p,
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
    if (P >= this.pc) return this.saturationT(this.Tc)
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
      const p = this.satTfill(T, this.stL, this.stV)
      const L = this.stL
      const V = this.stV
      points.push({
        T,
        P: p,
        rhoLiq: L.rho,
        rhoVap: V.rho,
        hLiq: L.h * M,
        hVap: V.h * M,
        sLiq: L.s * M,
        sVap: V.s * M,
      })
    }
    const c = this.stateTRho(this.Tc, this.rhoc, this.st)
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
      // the single-phase state of the flash is still in this.st
      const o = this.stV
      Object.assign(o, this.st)
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
      const rho0 = o.rho
      const eT = 1e-4 * T
      const exact = this.cpPartials(T, rho0)
      if (exact) {
        d.cp = chain(exact[0] * M, exact[1] * M)
        return { state, d }
      }
      if (this.cheapTRho) {
        // cp: fourth-order central differences of cp(T, rho)
        const er = 1e-4 * rho0
        const cp = (TT: number, rr: number) => this.stateTRho(TT, rr, this.stL).cp * M
        const cpT =
          (8 * (cp(T + eT, rho0) - cp(T - eT, rho0)) -
            cp(T + 2 * eT, rho0) +
            cp(T - 2 * eT, rho0)) /
          (12 * eT)
        const cpr =
          (8 * (cp(T, rho0 + er) - cp(T, rho0 - er)) -
            cp(T, rho0 + 2 * er) +
            cp(T, rho0 - 2 * er)) /
          (12 * er)
        d.cp = chain(cpT, cpr)
        return { state, d }
      }
      // cp: fourth-order central differences of cp(T, P) on the same branch
      const br: Branch =
        state.phase === 'liquid' ? 'liquid' : state.phase === 'vapor' ? 'vapor' : 'any'
      const eP = 1e-4 * P
      const cp = (TT: number, PP: number) => this.stateTP(TT, PP, br, rho0, this.stL).cp * M
      const cpT =
        (8 * (cp(T + eT, P) - cp(T - eT, P)) - cp(T + 2 * eT, P) + cp(T - 2 * eT, P)) / (12 * eT)
      const cpP =
        (8 * (cp(T, P + eP) - cp(T, P - eP)) - cp(T, P + 2 * eP) + cp(T, P - 2 * eP)) / (12 * eP)
      d.cp = { dP: cpP + cpT * TP, dh: (cpT * Th) / M }
      return { state, d }
    }
    // two-phase: T = Tsat(P), x = (h - hL)/(hV - hL)
    this.satP(P)
    const L = this.cPL
    const V = this.cPV
    const x = state.x as number
    const vL = 1 / L.rho
    const vV = 1 / V.rho
    const dTs = this.dTsatdP(P, L, V)
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
