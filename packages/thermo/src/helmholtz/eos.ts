/**
 * Evaluation of the reduced Helmholtz energy phi = phi0 + phir and its first and second
 * derivatives in delta and tau, in one pass over the terms (IAPWS R6-95(2018), Tables 4 and 5).
 *
 * Output layout (Float64Array of 6): [phi, phi_d, phi_dd, phi_t, phi_tt, phi_dt].
 * Integer powers come from tables built by multiplication; the tau-dependent factors are cached
 * for the last tau (a density iteration at fixed T costs no tau work).
 */
import type { HelmholtzFluid } from './fluid.ts'

export const PHI = 0
export const PHI_D = 1
export const PHI_DD = 2
export const PHI_T = 3
export const PHI_TT = 4
export const PHI_DT = 5

/** Gaussian and non-analytic terms with exp(-arg), arg > SKIP_EXP, are below 1e-17: skipped. */
const SKIP_EXP = 40
/** weights and offsets of the fourth-order central difference */
const FD4: readonly (readonly [number, number])[] = [
  [8, 1],
  [-8, -1],
  [-1, 2],
  [1, -2],
]

function isSmallInt(x: number, max: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= max
}

export class HelmholtzEos {
  readonly fluid: HelmholtzFluid
  private readonly nTerms: number
  private readonly n: Float64Array
  private readonly d: Float64Array
  private readonly t: Float64Array
  private readonly c: Float64Array
  private readonly dInt: Int32Array // index into delta power table, -1: use Math.pow
  private readonly tInt: Int32Array
  private readonly cIdx: Int32Array // index into distinct-c exp table, -1: polynomial term
  private readonly cDistinct: Float64Array
  private readonly cDistinctInt: Int32Array
  private readonly maxD: number
  private readonly maxT: number
  private readonly dPow: Float64Array
  private readonly tPow: Float64Array
  private readonly expC: Float64Array // exp(-delta^c) per distinct c
  private readonly powC: Float64Array // delta^c per distinct c
  private readonly tauFac: Float64Array // n * tau^t per term (cached for lastTau)
  private lastTau = NaN
  private idTau = NaN
  private id0 = 0
  private idT = 0
  private idTT = 0

  constructor(fluid: HelmholtzFluid) {
    this.fluid = fluid
    const r = fluid.residual
    this.nTerms = r.n.length
    this.n = r.n
    this.d = r.d
    this.t = r.t
    this.c = r.c
    const LIM = 64
    this.dInt = Int32Array.from(r.d, (x) => (isSmallInt(x, LIM) ? x : -1))
    this.tInt = Int32Array.from(r.t, (x) => (isSmallInt(x, LIM) ? x : -1))
    const cs = [...new Set(Array.from(r.c).filter((x) => x !== 0))]
    this.cDistinct = Float64Array.from(cs)
    this.cDistinctInt = Int32Array.from(cs, (x) => (isSmallInt(x, LIM) ? x : -1))
    this.cIdx = Int32Array.from(r.c, (x) => (x === 0 ? -1 : cs.indexOf(x)))
    let maxD = 1
    for (const x of this.dInt) maxD = Math.max(maxD, x)
    for (const x of this.cDistinctInt) maxD = Math.max(maxD, x)
    let maxT = 1
    for (const x of this.tInt) maxT = Math.max(maxT, x)
    this.maxD = maxD
    this.maxT = maxT
    this.dPow = new Float64Array(maxD + 1)
    this.tPow = new Float64Array(maxT + 1)
    this.expC = new Float64Array(cs.length)
    this.powC = new Float64Array(cs.length)
    this.tauFac = new Float64Array(this.nTerms)
  }

  private setTau(tau: number): void {
    const tp = this.tPow
    tp[0] = 1
    for (let k = 1; k <= this.maxT; k++) tp[k] = tp[k - 1] * tau
    for (let i = 0; i < this.nTerms; i++) {
      const ti = this.tInt[i]
      this.tauFac[i] = this.n[i] * (ti >= 0 ? tp[ti] : Math.pow(tau, this.t[i]))
    }
    this.lastTau = tau
  }

  /**
   * Ideal-gas part phi0 and derivatives (Table 4).
   * @param delta - reduced density rho/rhoc [-]
   * @param tau - inverse reduced temperature Tc/T [-]
   */
  ideal(delta: number, tau: number, out: Float64Array): void {
    if (tau !== this.idTau) {
      // tau-only part, cached for the last tau
      const id = this.fluid.ideal
      let phi = id.a1 + id.a2 * tau + id.a3 * Math.log(tau)
      let phiT = id.a2 + id.a3 / tau
      let phiTT = -id.a3 / (tau * tau)
      for (let i = 0; i < id.peN.length; i++) {
        const g = id.peGamma[i]
        const e = Math.exp(-g * tau)
        const om = 1 - e
        phi += id.peN[i] * Math.log(om)
        phiT += id.peN[i] * g * (1 / om - 1)
        phiTT -= (id.peN[i] * g * g * e) / (om * om)
      }
      this.idTau = tau
      this.id0 = phi
      this.idT = phiT
      this.idTT = phiTT
    }
    const phi = Math.log(delta) + this.id0
    const phiT = this.idT
    const phiTT = this.idTT
    out[PHI] = phi
    out[PHI_D] = 1 / delta
    out[PHI_DD] = -1 / (delta * delta)
    out[PHI_T] = phiT
    out[PHI_TT] = phiTT
    out[PHI_DT] = 0
  }

  /**
   * Residual part phir and derivatives (Table 5), all terms in one pass.
   * @param delta - reduced density rho/rhoc [-]
   * @param tau - inverse reduced temperature Tc/T [-]
   */
  residual(delta: number, tau: number, out: Float64Array): void {
    if (tau !== this.lastTau) this.setTau(tau)
    const dp = this.dPow
    dp[0] = 1
    for (let k = 1; k <= this.maxD; k++) dp[k] = dp[k - 1] * delta
    for (let j = 0; j < this.cDistinct.length; j++) {
      const ci = this.cDistinctInt[j]
      const dc = ci >= 0 ? dp[ci] : Math.pow(delta, this.cDistinct[j])
      this.powC[j] = dc
      this.expC[j] = Math.exp(-dc)
    }
    // scaled sums: S = phi, Sd = delta*phi_d, Sdd = delta^2 phi_dd, St = tau phi_t,
    // Stt = tau^2 phi_tt, Sdt = delta tau phi_dt
    let S = 0
    let Sd = 0
    let Sdd = 0
    let St = 0
    let Stt = 0
    let Sdt = 0
    for (let i = 0; i < this.nTerms; i++) {
      const di = this.dInt[i]
      const d = this.d[i]
      const t = this.t[i]
      let base = this.tauFac[i] * (di >= 0 ? dp[di] : Math.pow(delta, d))
      const ji = this.cIdx[i]
      let k = d
      let kk = d * (d - 1)
      if (ji >= 0) {
        const c = this.c[i]
        const cD = c * this.powC[ji]
        base *= this.expC[ji]
        k = d - cD
        kk = k * (k - 1) - c * cD
      }
      S += base
      Sd += base * k
      Sdd += base * kk
      St += base * t
      Stt += base * t * (t - 1)
      Sdt += base * t * k
    }
    const g = this.fluid.residual.gauss
    for (let i = 0; i < g.n.length; i++) {
      const d = g.d[i]
      const t = g.t[i]
      const de = delta - g.epsilon[i]
      const tg = tau - g.gamma[i]
      const al = g.alpha[i]
      const be = g.beta[i]
      const arg = al * de * de + be * tg * tg
      // exp(-40) ~ 4e-18: the term and its derivatives vanish at double precision
      if (arg > SKIP_EXP) continue
      const dpow = Number.isInteger(d) && d >= 0 && d <= this.maxD ? dp[d] : Math.pow(delta, d)
      const tpow = Number.isInteger(t) && t >= 0 && t <= this.maxT ? this.tPow[t] : Math.pow(tau, t)
      const base = g.n[i] * dpow * tpow * Math.exp(-arg)
      const kd = d - 2 * al * delta * de
      const kt = t - 2 * be * tau * tg
      S += base
      Sd += base * kd
      Sdd += base * (kd * kd - d - 2 * al * delta * delta)
      St += base * kt
      Stt += base * (kt * kt - t - 2 * be * tau * tau)
      Sdt += base * kd * kt
    }
    const id2 = 1 / (delta * delta)
    const it2 = 1 / (tau * tau)
    const phi = S
    const phiD = Sd / delta
    const phiDD = Sdd * id2
    const phiT = St / tau
    const phiTT = Stt * it2
    const phiDT = Sdt / (delta * tau)
    out[PHI] = phi
    out[PHI_D] = phiD
    out[PHI_DD] = phiDD
    out[PHI_T] = phiT
    out[PHI_TT] = phiTT
    out[PHI_DT] = phiDT
    this.nonAnalytic(delta, tau, out)
  }

  /** Adds the non-analytic terms (R6-95 Table 5, i = 55, 56) and derivatives to acc. */
  private nonAnalytic(delta: number, tau: number, acc: Float64Array): void {
    const na = this.fluid.residual.nonAnalytic
    for (let i = 0; i < na.n.length; i++) {
      const n = na.n[i]
      const a = na.a[i]
      const b = na.b[i]
      const B = na.B[i]
      const C = na.C[i]
      const D = na.D[i]
      const A = na.A[i]
      const beta = na.beta[i]
      const dm = delta - 1
      const q = dm * dm
      const tm = tau - 1
      const psiArg = C * q + D * tm * tm
      if (psiArg > SKIP_EXP) continue
      const e1 = 1 / (2 * beta) - 1 // exponent of q in dtheta/ddelta / (delta-1)
      const qe1 = q === 0 ? 0 : Math.pow(q, e1)
      const qa1 = q === 0 ? 0 : Math.pow(q, a - 1)
      const theta = -tm + A * qe1 * q
      let Delta = theta * theta + B * qa1 * q
      // at the critical point itself Delta = 0 and Delta^(b-2) diverges: keep it finite
      if (Delta < 1e-20) Delta = 1e-20
      const psi = Math.exp(-psiArg)
      const psiD = -2 * C * dm * psi
      const psiDD = (2 * C * q - 1) * 2 * C * psi
      const psiT = -2 * D * tm * psi
      const psiTT = (2 * D * tm * tm - 1) * 2 * D * psi
      const psiDT = 4 * C * D * dm * tm * psi
      // dDelta/ddelta = dm * G, G regular at delta = 1
      const G = A * theta * (2 / beta) * qe1 + 2 * B * a * qa1
      const DeltaD = dm * G
      const DeltaDD =
        G +
        4 * B * a * (a - 1) * qa1 +
        2 * A * A * (1 / (beta * beta)) * (q === 0 ? 0 : Math.pow(q, 2 * e1 + 1)) +
        A * theta * (4 / beta) * e1 * qe1
      const Db = Math.pow(Delta, b)
      const Db1 = Db / Delta
      const Db2 = Db1 / Delta
      const DbD = b * Db1 * DeltaD
      const DbDD = b * (Db1 * DeltaDD + (b - 1) * Db2 * DeltaD * DeltaD)
      const DbT = -2 * theta * b * Db1
      const DbTT = 2 * b * Db1 + 4 * theta * theta * b * (b - 1) * Db2
      const DbDT = -A * b * (2 / beta) * Db1 * dm * qe1 - 2 * theta * b * (b - 1) * Db2 * DeltaD
      acc[PHI] += n * Db * delta * psi
      acc[PHI_D] += n * (Db * (psi + delta * psiD) + DbD * delta * psi)
      acc[PHI_DD] +=
        n * (Db * (2 * psiD + delta * psiDD) + 2 * DbD * (psi + delta * psiD) + DbDD * delta * psi)
      acc[PHI_T] += n * delta * (DbT * psi + Db * psiT)
      acc[PHI_TT] += n * delta * (DbTT * psi + 2 * DbT * psiT + Db * psiTT)
      acc[PHI_DT] +=
        n *
        (Db * (psiT + delta * psiDT) +
          delta * DbD * psiT +
          DbT * (psi + delta * psiD) +
          DbDT * delta * psi)
    }
  }

  private readonly naP = new Float64Array(6)

  /** whether any non-analytic term is above the skip threshold near (delta, tau) */
  private nonAnalyticActive(delta: number, tau: number): boolean {
    const na = this.fluid.residual.nonAnalytic
    for (let i = 0; i < na.n.length; i++) {
      const dm = delta - 1
      const tm = tau - 1
      if (na.C[i] * dm * dm + na.D[i] * tm * tm < SKIP_EXP + 1) return true
    }
    return false
  }

  /** fourth-order central difference of the non-analytic terms' output idx along (dd, dt) */
  private naFD(delta: number, tau: number, idx: number, dd: number, dt: number): number {
    const P = this.naP
    let r = 0
    for (let j = 0; j < FD4.length; j++) {
      const w = FD4[j][0]
      const m = FD4[j][1]
      P.fill(0)
      this.nonAnalytic(delta + m * dd, tau + m * dt, P)
      r += w * P[idx]
    }
    return r / (12 * (dd + dt))
  }

  /**
   * Third derivatives for exact cp derivatives: out = [phi_ttt (ideal + residual), phir_dtt,
   * phir_ddt, phir_ddd]. Polynomial, exponential, Gaussian and ideal terms analytically; the two
   * non-analytic terms by fourth-order central differences of their analytic second derivatives
   * (they vanish away from the critical region).
   * @param delta - reduced density [-]
   * @param tau - inverse reduced temperature [-]
   */
  third(delta: number, tau: number, out: Float64Array): void {
    if (tau !== this.lastTau) this.setTau(tau)
    const dp = this.dPow
    dp[0] = 1
    for (let k = 1; k <= this.maxD; k++) dp[k] = dp[k - 1] * delta
    for (let j = 0; j < this.cDistinct.length; j++) {
      const ci = this.cDistinctInt[j]
      const dc = ci >= 0 ? dp[ci] : Math.pow(delta, this.cDistinct[j])
      this.powC[j] = dc
      this.expC[j] = Math.exp(-dc)
    }
    // scaled sums: tau^3 phi_ttt, delta tau^2 phi_dtt, delta^2 tau phi_ddt, delta^3 phi_ddd;
    // with D = delta d/ddelta: delta^2 f'' = D2 - D, delta^3 f''' = D3 - 3 D2 + 2 D
    let Sttt = 0
    let Sdtt = 0
    let Sddt = 0
    let Sddd = 0
    for (let i = 0; i < this.nTerms; i++) {
      const di = this.dInt[i]
      const d = this.d[i]
      const t = this.t[i]
      let base = this.tauFac[i] * (di >= 0 ? dp[di] : Math.pow(delta, d))
      const ji = this.cIdx[i]
      let k = d
      let c2D = 0
      let c3D = 0
      if (ji >= 0) {
        const c = this.c[i]
        const D = this.powC[ji]
        base *= this.expC[ji]
        k = d - c * D
        c2D = c * c * D
        c3D = c * c2D
      }
      const D2 = k * k - c2D
      const D3 = k * k * k - 3 * c2D * k - c3D
      const t2 = t * (t - 1)
      Sttt += base * t2 * (t - 2)
      Sdtt += base * k * t2
      Sddt += base * t * (D2 - k)
      Sddd += base * (D3 - 3 * D2 + 2 * k)
    }
    const g = this.fluid.residual.gauss
    for (let i = 0; i < g.n.length; i++) {
      const d = g.d[i]
      const t = g.t[i]
      const eps = g.epsilon[i]
      const gam = g.gamma[i]
      const de = delta - eps
      const tg = tau - gam
      const al = g.alpha[i]
      const be = g.beta[i]
      const arg = al * de * de + be * tg * tg
      if (arg > SKIP_EXP) continue
      const base = g.n[i] * Math.pow(delta, d) * Math.pow(tau, t) * Math.exp(-arg)
      const kd = d - 2 * al * delta * de
      const kd1 = -2 * al * delta * (2 * delta - eps)
      const kd2 = -2 * al * delta * (4 * delta - eps)
      const kt = t - 2 * be * tau * tg
      const kt1 = -2 * be * tau * (2 * tau - gam)
      const kt2 = -2 * be * tau * (4 * tau - gam)
      const Dd2 = kd * kd + kd1
      const Dd3 = kd * kd * kd + 3 * kd * kd1 + kd2
      const Dt2 = kt * kt + kt1
      const Dt3 = kt * kt * kt + 3 * kt * kt1 + kt2
      Sttt += base * (Dt3 - 3 * Dt2 + 2 * kt)
      Sdtt += base * kd * (Dt2 - kt)
      Sddt += base * kt * (Dd2 - kd)
      Sddd += base * (Dd3 - 3 * Dd2 + 2 * kd)
    }
    // ideal part: phi0_ttt
    const id = this.fluid.ideal
    let i3 = (2 * id.a3) / (tau * tau * tau)
    for (let i = 0; i < id.peN.length; i++) {
      const gm = id.peGamma[i]
      const e = Math.exp(-gm * tau)
      const om = 1 - e
      i3 += (id.peN[i] * gm * gm * gm * e * (1 + e)) / (om * om * om)
    }
    let ttt = i3 + Sttt / (tau * tau * tau)
    let dtt = Sdtt / (delta * tau * tau)
    let ddt = Sddt / (delta * delta * tau)
    let ddd = Sddd / (delta * delta * delta)
    if (this.nonAnalyticActive(delta, tau)) {
      const h = 1e-5
      ttt += this.naFD(delta, tau, PHI_TT, 0, h)
      dtt += this.naFD(delta, tau, PHI_TT, h, 0)
      ddt += this.naFD(delta, tau, PHI_DD, 0, h)
      ddd += this.naFD(delta, tau, PHI_DD, h, 0)
    }
    out[0] = ttt
    out[1] = dtt
    out[2] = ddt
    out[3] = ddd
  }
}
