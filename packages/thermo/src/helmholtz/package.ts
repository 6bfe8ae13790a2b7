/**
 * The `helmholtz` property package: a multi-parameter Helmholtz equation of state (IAPWS-95 for
 * water, R6-95(2018)) with Maxwell-construction saturation and density solves; the flash layer
 * is shared (../base.ts). Internally mass basis (J/kg, J/(kg K)).
 */
import { FlashPackage, type Branch, type YKind } from '../base.ts'
import { densityOnBranch } from '../density.ts'
import { noConvergence, outOfRange } from '../errors.ts'
import type { Bounds } from '../types.ts'
import { HelmholtzEos } from './eos.ts'
import type { HelmholtzFluid } from './fluid.ts'
import type { MeltingCurve } from './melting.ts'
import { HelmholtzProps, TRhoProps } from './props.ts'

/** Relative distance from the ancillary saturation pressure below which the exact
 * (Maxwell) saturation decides the phase; the ancillary equations are far better than this. */
const ANC_MARGIN = 2e-3
/** Below Tc - NEAR_CRIT_K the saturation Newton is well conditioned. */
const NEAR_CRIT_K = 1e-5
/** critical exponent of the coexistence-curve density gap (universal Ising value) */
const CRIT_BETA = 0.326

/** Optional starting values for a fluid (e.g. IAPWS-IF97 for water); never returned as results. */
export interface GuessProvider {
  /** temperature [K] at P [Pa] with mass h [J/kg] or s [J/(kg K)] on a branch, NaN if unknown */
  T(P: number, y: number, k: YKind, branch: Branch): number
  /** approximate saturation at P [Pa]: Tsat [K] and y of both phases (mass basis), or null */
  sat?(P: number, k: YKind): { T: number; yL: number; yV: number } | null
  /** approximate saturation pressure [Pa] at T [K] (phase decisions with ANC_MARGIN) */
  psat?(T: number): number
  /** a density [kg/m3] at (T [K], P [Pa]) on a branch, NaN if unknown */
  rho?(T: number, P: number, branch: Branch): number
  /** how far (mass basis, J/kg or J/(kg K)) y must lie outside the approximate dome */
  margin?: { h: number; s: number; u: number }
}

export interface HelmholtzOptions {
  compound: string
  version: string
  /** bounds.Tmin is the lowest temperature at any pressure (with a melting curve: its minimum) */
  bounds: Bounds
  guess?: GuessProvider
  /**
   * The melting curve: with it the lowest temperature at P is the melting temperature (the
   * fluid's stability limit), kept at `lowPressureTmin` where that is lower than the melting
   * temperature on the first (lowest-pressure) line and below that line's lowest pressure.
   */
  melting?: { curve: MeltingCurve; lowPressureTmin: number }
}

export class HelmholtzPackage extends FlashPackage {
  readonly fluid: HelmholtzFluid
  readonly props: HelmholtzProps
  private readonly guess: GuessProvider | undefined
  private readonly melting: HelmholtzOptions['melting']
  private readonly meltingTops: { pLo: number; T: number }[]
  protected override readonly cheapTRho = true
  private readonly buf = new Float64Array(3)
  private readonly pressureAt = (T: number, rho: number, out: Float64Array): void =>
    this.props.pressure(T, rho, out)
  private readonly bufV = new Float64Array(3)
  // saturation cache at the last T (densities and pressure)
  private cT = NaN
  private cTp = 0
  private cTrl = 0
  private cTrv = 0
  // the saturation solution at Tc - NEAR_CRIT_K (interpolation anchor)
  private nc: { p: number; rl: number; rv: number } | null = null

  constructor(fluid: HelmholtzFluid, opts: HelmholtzOptions) {
    const props = new HelmholtzProps(new HelmholtzEos(fluid))
    const b = new Float64Array(3)
    props.pressure(fluid.Tc, fluid.rhoc, b)
    super({
      name: 'helmholtz',
      compound: opts.compound,
      version: opts.version,
      bounds: opts.bounds,
      M: fluid.M,
      R: fluid.R,
      Tc: fluid.Tc,
      pc: b[0],
      rhoc: fluid.rhoc,
      triple: { T: fluid.Ttriple, P: NaN },
    })
    this.fluid = fluid
    this.props = props
    this.guess = opts.guess
    this.melting = opts.melting
    // the highest melting temperature of the lines starting at or below each line's pressure:
    // above it at P the melting line does not constrain a (T,P) state (flashTP's fast path)
    let tTop = opts.melting?.lowPressureTmin ?? -Infinity
    this.meltingTops = (opts.melting?.curve.lines ?? [])
      .slice()
      .sort((a, b) => a.pLo - b.pLo)
      .map((l) => ({ pLo: l.pLo, T: (tTop = Math.max(tTop, l.Tmax, l.Tmin)) }))
    this.satT(fluid.Ttriple)
    ;(this as { triple: { T: number; P: number } }).triple = { T: fluid.Ttriple, P: this.cTp }
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
      // within NEAR_CRIT_K of Tc the Maxwell problem is below double precision: interpolate
      // from the solution at Tc - NEAR_CRIT_K to the critical point (psat linear in T, the
      // density gap with the critical exponent beta)
      const T0 = this.Tc - NEAR_CRIT_K
      if (this.nc === null) {
        this.cT = NaN
        this.satTsolve(T0)
        this.nc = { p: this.cTp, rl: this.cTrl, rv: this.cTrv }
      }
      const f = Math.max(this.Tc - T, 0) / NEAR_CRIT_K
      const g = Math.pow(f, CRIT_BETA)
      this.cT = T
      this.cTp = this.pc + (this.nc.p - this.pc) * f
      this.cTrl = this.rhoc + (this.nc.rl - this.rhoc) * g
      this.cTrv = this.rhoc + (this.nc.rv - this.rhoc) * g
      return
    }
    this.satTsolve(T)
  }

  /** The Newton solve of satT (below Tc - NEAR_CRIT_K). */
  private satTsolve(T: number): void {
    let rl = this.ancRhoL(T)
    let rv = this.ancRhoV(T)
    // warm start from a close cached solution (envelope sweeps, repeated calls)
    // (only from a wider dome: a narrower one can pull Newton to the trivial rhoL = rhoV)
    if (Math.abs(T - this.cT) < 0.1 * (this.Tc - T) && this.cT < T && this.cTrl > this.cTrv) {
      rl = this.cTrl
      rv = this.cTrv
    }
    const bL = this.buf
    const bV = this.bufV
    let ok = false
    let last = false
    let prevRel = Infinity
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
      // keep the gap rhoL - rhoV from collapsing (the trivial solution)
      const gap = rl - rv
      while (lam > 1e-4 && !(rv + lam * b > 0 && rl + lam * a - (rv + lam * b) > 0.5 * gap))
        lam /= 2
      a *= lam
      b *= lam
      rl += a
      rv += b
      // converged: a step below 1e-12 (then one more, quadratic convergence), or near the
      // critical point a small step that no longer shrinks (rounding noise)
      const rel = Math.max(Math.abs(a) / rl, Math.abs(b) / rv)
      if (lam === 1) {
        if (last) {
          ok = true
          break
        }
        if (rel < 1e-12) last = true
        else if (
          (rel < 1e-7 && rel >= 0.5 * prevRel) ||
          (Math.abs(F1) < 1e-12 * bV[0] && Math.abs(F2) < 1e-12 * this.R * T)
        ) {
          ok = true
          break
        }
      }
      prevRel = rel
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
  protected satPCompute(P: number): void {
    if (P >= this.pc) {
      this.props.eval(this.Tc, this.rhoc, this.cPL)
      this.props.eval(this.Tc, this.rhoc, this.cPV)
      this.cP = P
      this.cPT = this.Tc
      return
    }
    const gs = this.guess?.sat?.(P, 'h')
    let T = gs ? gs.T : this.ancT(P)
    let rl = this.ancRhoL(T)
    let rv = this.ancRhoV(T)
    const L = this.cPL
    const V = this.cPV
    let ok = false
    let prevRel = Infinity
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
        !(
          rv + lam * drv > 0 &&
          rl + lam * drl - (rv + lam * drv) > 0.5 * (rl - rv) &&
          T + lam * dT < this.Tc
        )
      )
        lam /= 2
      dT *= lam
      drl *= lam
      drv *= lam
      T += dT
      rl += drl
      rv += drv
      const rel = Math.max((10 * Math.abs(dT)) / T, Math.abs(drl) / rl, Math.abs(drv) / rv)
      if (lam === 1 && (rel < 1e-12 || (rel < 1e-7 && rel >= 0.5 * prevRel))) {
        ok = true
        break
      }
      prevRel = rel
    }
    if (!ok) {
      // near the critical point: Newton-bisection in T on psat(T) (robust saturation at T)
      let lo = this.fluid.Ttriple
      let hi = this.Tc - NEAR_CRIT_K
      this.satT(hi)
      if (P >= this.cTp) T = hi
      else {
        T = Number.isFinite(T) ? Math.min(Math.max(T, lo), hi) : hi - 1e-3
        for (let it = 0; it < 200; it++) {
          this.satT(T)
          const f = this.cTp - P
          if (f < 0) lo = T
          else hi = T
          this.props.eval(T, this.cTrl, L)
          this.props.eval(T, this.cTrv, V)
          const dps = (V.s - L.s) / (1 / V.rho - 1 / L.rho)
          let next = T - f / dps
          if (!(next > lo && next < hi)) next = 0.5 * (lo + hi)
          if (Math.abs(next - T) <= 1e-13 * T || hi - lo <= 1e-13 * T) break
          T = next
        }
      }
      this.satT(T)
      rl = this.cTrl
      rv = this.cTrv
    }
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
    const lo = branch === 'liquid' ? this.rhoc : 0
    const hi = branch === 'vapor' ? this.rhoc : 5 * this.rhoc
    const rho0 = guess > lo && guess < hi ? guess : branch === 'vapor' ? 0.5 * hi : 0.5 * (lo + hi)
    const rho = densityOnBranch(this.pressureAt, T, P, branch, lo, hi, rho0, this.buf)
    if (!Number.isNaN(rho)) return rho
    if (this.buf[2] === 5 * this.rhoc) throw outOfRange('P', P, this.bounds.Pmin, this.bounds.Pmax)
    throw noConvergence('density from (T, P)', { T, P, branch })
  }

  // ---------------------------------------------------------------- FlashPackage hooks

  protected stateTP(
    T: number,
    P: number,
    branch: Branch,
    rhoGuess: number,
    o: TRhoProps,
  ): TRhoProps {
    const gp = Number.isNaN(rhoGuess) && this.guess?.rho ? this.guess.rho(T, P, branch) : NaN
    const g = !Number.isNaN(rhoGuess)
      ? rhoGuess
      : gp > 0
        ? gp
        : branch === 'vapor'
          ? P / (this.R * T)
          : branch === 'liquid'
            ? this.ancRhoL(Math.min(T, this.Tc))
            : Math.min(P / (this.R * T), this.rhoc)
    return this.props.eval(T, this.solveRho(T, P, branch, g), o)
  }

  private readonly cpBuf = new Float64Array(2)
  protected override cpPartials(T: number, rho: number): [number, number] {
    this.props.cpPartials(T, rho, this.cpBuf)
    return [this.cpBuf[0], this.cpBuf[1]]
  }

  protected stableTP(T: number, P: number, o: TRhoProps): TRhoProps {
    return this.props.eval(T, this.rhoTP(T, P), o)
  }

  protected stateTRho(T: number, rho: number, o: TRhoProps): TRhoProps {
    return this.props.eval(T, rho, o)
  }

  protected satTfill(T: number, L: TRhoProps, V: TRhoProps): number {
    this.satT(T)
    this.props.eval(T, this.cTrl, L)
    this.props.eval(T, this.cTrv, V)
    return this.cTp
  }

  protected override quickSide(
    P: number,
    y: number,
    k: YKind,
  ): { branch: Branch; Tsat: number } | null {
    const g = this.guess
    if (!g?.sat || !g.margin) return null
    const a = g.sat(P, k)
    if (!a) return null
    const m = g.margin[k]
    if (y < a.yL - m) return { branch: 'liquid', Tsat: a.T }
    if (y > a.yV + m) return { branch: 'vapor', Tsat: a.T }
    return null
  }

  /**
   * Lowest temperature at P: the melting temperature (IAPWS R14-08), but at most
   * lowPressureTmin on the first line (ice Ih) and lowPressureTmin below its lowest pressure.
   */
  protected override aboveAnyMeltingLine(T: number, P: number): boolean {
    if (!this.melting) return T >= this.bounds.Tmin
    let top = this.melting.lowPressureTmin
    for (const l of this.meltingTops) if (P >= l.pLo) top = l.T
    return T > top
  }

  protected override tMinAt(P: number): { T: number; note: string } {
    const m = this.melting
    if (!m) return super.tMinAt(P)
    const r = m.curve.temperature(P)
    const first = m.curve.lines[0]
    if (r === null) {
      if (P < first.pLo) return { T: m.lowPressureTmin, note: '' }
      return { T: this.bounds.Tmax, note: `above the last melting line at P = ${P} Pa` }
    }
    if (r.ice === first.ice && r.T > m.lowPressureTmin) return { T: m.lowPressureTmin, note: '' }
    return {
      T: r.T,
      note: `below the ice ${r.ice} melting temperature ${r.T} K at P = ${P} Pa (IAPWS R14-08)`,
    }
  }

  /**
   * Lowest temperature of accepted metastable supercooled liquid at P: the data file's limit
   * (water-melting.json `supercooledLiquid`, a Rere choice) below the melting line of the listed
   * ice phases, above the triple-point pressure only (below it the fluid is vapour); NaN
   * elsewhere (the stable bound of tMinAt applies).
   */
  protected override supercooledTMinAt(P: number): number {
    const sc = this.melting?.curve.supercooled
    if (!sc || !(P >= this.triple.P)) return NaN
    const r = this.melting?.curve.temperature(P)
    if (!r || !sc.ice.includes(r.ice)) return NaN
    return sc.Tmin < this.tMinAt(P).T ? sc.Tmin : NaN
  }

  protected override guessT(P: number, y: number, k: YKind, branch: Branch): number {
    return this.guess ? this.guess.T(P, y, k, branch) : NaN
  }

  /** 2-D Newton in (T, rho) on p(T, rho) = P, y(T, rho) = y from T0 (density from (T0, P)). */
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
    if (!(T0 > Tlo && T0 < Thi)) return false
    let T = T0
    const br: Branch = branch === 'any' ? (T < this.Tc ? 'liquid' : 'any') : branch
    let rho: number
    // start from the guess provider's density at (T0, P) when it has one (the 2-D Newton
    // corrects it together with T); otherwise from the exact density at T0
    const gr = br !== 'any' && this.guess?.rho ? this.guess.rho(T, P, br) : NaN
    if (gr > 0) {
      rho = gr
      this.props.eval(T, rho, o)
    } else
      try {
        this.stateTP(T, P, br, NaN, o)
        rho = o.rho
      } catch {
        return false
      }
    const scale = k === 's' ? this.R : this.R * this.Tc
    const tol = 1e-13 * (Math.abs(y) + scale)
    for (let it = 0; it < 8; it++) {
      const f1 = o.p - P
      const yv = k === 'h' ? o.h : k === 's' ? o.s : o.u
      const f2 = yv - y
      const yT = k === 'h' ? o.dhdT : k === 's' ? o.dsdT : o.dudT
      const yr = k === 'h' ? o.dhdrho : k === 's' ? o.dsdrho : o.dudrho
      if (Math.abs(f2) <= tol && Math.abs(f1) <= 1e-13 * P + 1e-15 * rho * o.dpdrho) break
      const det = o.dpdT * yr - o.dpdrho * yT
      const dT = -(f1 * yr - o.dpdrho * f2) / det
      const dr = -(o.dpdT * f2 - yT * f1) / det
      if (!Number.isFinite(dT) || !Number.isFinite(dr)) return false
      T += dT
      rho += dr
      if (!(T > Tlo && T < Thi && rho > 0)) return false
      this.props.eval(T, rho, o)
      // a step at the rounding level of the liquid's pressure: converged
      if (Math.abs(dT) <= 1e-13 * T && Math.abs(dr) <= 1e-13 * rho) break
      if (it === 7) return false
    }
    // on the branch and mechanically stable: a state of the stable phase
    if (!(o.dpdrho > 0)) return false
    if (br === 'liquid' && !(rho > this.rhoc)) return false
    if (br === 'vapor' && !(rho < this.rhoc)) return false
    return true
  }

  /** Stable density at (T, P) [kg/m3]. */
  rhoTP(T: number, P: number): number {
    if (T >= this.Tc) return this.solveRho(T, P, 'any', Math.min(P / (this.R * T), this.rhoc))
    const pa = this.guess?.psat ? this.guess.psat(T) : this.ancP(T)
    let liquid: boolean
    let gl = this.ancRhoL(T)
    if (Math.abs(P - pa) > ANC_MARGIN * pa && T < this.Tc - 1) liquid = P > pa
    else {
      this.satT(T)
      liquid = P >= this.cTp
      gl = this.cTrl
    }
    const br = liquid ? 'liquid' : 'vapor'
    const gp = this.guess?.rho ? this.guess.rho(T, P, br) : NaN
    return gp > 0
      ? this.solveRho(T, P, br, gp)
      : liquid
        ? this.solveRho(T, P, 'liquid', gl)
        : this.solveRho(T, P, 'vapor', P / (this.R * T))
  }
}
