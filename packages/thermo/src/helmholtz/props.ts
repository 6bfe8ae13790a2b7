/**
 * Properties from (T, rho) of a Helmholtz fluid (IAPWS R6-95(2018), Table 3), mass basis, with
 * the partial derivatives a Newton solver needs. One evaluation fills a reusable scratch record.
 */
import { HelmholtzEos, PHI, PHI_D, PHI_DD, PHI_DT, PHI_T, PHI_TT } from './eos.ts'

/** Mass-basis properties and partial derivatives at (T, rho). All SI. */
export class TRhoProps {
  /** temperature [K] */ T = 0
  /** mass density [kg/m3] */ rho = 0
  /** pressure [Pa] */ p = 0
  /** specific enthalpy [J/kg] */ h = 0
  /** specific entropy [J/(kg K)] */ s = 0
  /** specific internal energy [J/kg] */ u = 0
  /** specific Gibbs energy [J/kg] */ g = 0
  /** isochoric heat capacity [J/(kg K)] */ cv = 0
  /** isobaric heat capacity [J/(kg K)] (Infinity-free: see props()) */ cp = 0
  /** speed of sound [m/s] */ w = 0
  /** (dp/dT)_rho [Pa/K] */ dpdT = 0
  /** (dp/drho)_T [Pa m3/kg] */ dpdrho = 0
  /** (dh/dT)_rho [J/(kg K)] */ dhdT = 0
  /** (dh/drho)_T [J m3/kg2] */ dhdrho = 0
  /** (ds/dT)_rho */ dsdT = 0
  /** (ds/drho)_T */ dsdrho = 0
  /** (du/dT)_rho */ dudT = 0
  /** (du/drho)_T */ dudrho = 0
  /** isothermal compressibility 1/(rho (dp/drho)_T) [1/Pa] */ kappaT = 0
  /** Joule-Thomson coefficient (dT/dp)_h [K/Pa] */ muJT = 0
}

/** Fill the derived properties (kappaT, muJT) of o from its partial derivatives. */
export function finishDerived(o: TRhoProps): TRhoProps {
  o.kappaT = 1 / (o.rho * o.dpdrho)
  o.muJT = o.dhdrho / (o.dpdT * o.dhdrho - o.dpdrho * o.dhdT)
  return o
}

export class HelmholtzProps {
  readonly eos: HelmholtzEos
  readonly R: number
  readonly Tc: number
  readonly rhoc: number
  private readonly i0 = new Float64Array(6)
  private readonly ir = new Float64Array(6)
  private readonly i3 = new Float64Array(4)
  // (delta, tau) of the ideal and residual parts held in i0 and ir after eval (NaN: none)
  private evDelta = NaN
  private evTau = NaN

  constructor(eos: HelmholtzEos) {
    this.eos = eos
    this.R = eos.fluid.R
    this.Tc = eos.fluid.Tc
    this.rhoc = eos.fluid.rhoc
  }

  /**
   * Pressure and its density derivative only (for density iterations at fixed T).
   * @param T - temperature [K]
   * @param rho - mass density [kg/m3]
   * @param out - [p, dp/drho, g] (g: specific Gibbs energy minus a T-only term is not used)
   */
  pressure(T: number, rho: number, out: Float64Array): void {
    const delta = rho / this.rhoc
    const r = this.ir
    this.evDelta = NaN
    this.eos.residual(delta, this.Tc / T, r)
    const RT = this.R * T
    const dpd = delta * r[PHI_D]
    out[0] = rho * RT * (1 + dpd)
    out[1] = RT * (1 + 2 * dpd + delta * delta * r[PHI_DD])
    // Gibbs energy up to a function of T only: g/(RT) - phi0-T-part = ln(delta) + phir + delta phir_d
    out[2] = RT * (Math.log(delta) + r[PHI] + dpd)
  }

  /**
   * All properties at (T, rho).
   * @param T - temperature [K]
   * @param rho - mass density [kg/m3]
   */
  eval(T: number, rho: number, o: TRhoProps): TRhoProps {
    const delta = rho / this.rhoc
    const tau = this.Tc / T
    const i0 = this.i0
    const r = this.ir
    this.eos.ideal(delta, tau, i0)
    this.eos.residual(delta, tau, r)
    this.evDelta = delta
    this.evTau = tau
    const R = this.R
    const RT = R * T
    const dpd = delta * r[PHI_D]
    const d2 = delta * delta * r[PHI_DD]
    const dtr = delta * tau * r[PHI_DT]
    const tPhiT = tau * (i0[PHI_T] + r[PHI_T])
    const t2PhiTT = tau * tau * (i0[PHI_TT] + r[PHI_TT])
    const A = 1 + dpd - dtr // (dp/dT)_rho / (rho R)
    const Bq = 1 + 2 * dpd + d2 // (dp/drho)_T / (R T)
    o.T = T
    o.rho = rho
    o.p = rho * RT * (1 + dpd)
    o.u = RT * tPhiT
    o.h = RT * (1 + tPhiT + dpd)
    o.s = R * (tPhiT - i0[PHI] - r[PHI])
    o.g = RT * (1 + i0[PHI] + r[PHI] + dpd)
    o.cv = -R * t2PhiTT
    o.cp = o.cv + (R * A * A) / Bq
    const w2 = RT * (Bq - (A * A) / t2PhiTT)
    o.w = Math.sqrt(w2 > 0 ? w2 : 0)
    o.dpdT = rho * R * A
    o.dpdrho = RT * Bq
    o.dhdT = o.cv + R * A
    o.dhdrho = (RT / rho) * (dtr + dpd + d2)
    o.dsdT = o.cv / T
    o.dsdrho = (-R * A) / rho
    o.dudT = o.cv
    o.dudrho = (RT / rho) * dtr
    return finishDerived(o)
  }

  /**
   * Exact partial derivatives of cp (mass basis) at (T, rho) from the third derivatives of phi:
   * returns [(dcp/dT)_rho [J/(kg K2)], (dcp/drho)_T [J m3/(kg2 K)]].
   * cp/R = -X + A^2/B, X = tau^2 phi_tt, A = 1 + delta phir_d - delta tau phir_dt,
   * B = 1 + 2 delta phir_d + delta^2 phir_dd.
   */
  cpPartials(T: number, rho: number, out: Float64Array): void {
    const delta = rho / this.rhoc
    const tau = this.Tc / T
    const i0 = this.i0
    const r = this.ir
    const t3 = this.i3
    // the flash that precedes this call usually ended with eval at the same state: reuse it
    if (delta !== this.evDelta || tau !== this.evTau) {
      this.eos.ideal(delta, tau, i0)
      this.eos.residual(delta, tau, r)
      this.evDelta = delta
      this.evTau = tau
    }
    this.eos.third(delta, tau, t3)
    const [ttt, dtt, ddt, ddd] = [t3[0], t3[1], t3[2], t3[3]]
    const phiTT = i0[PHI_TT] + r[PHI_TT]
    const A = 1 + delta * r[PHI_D] - delta * tau * r[PHI_DT]
    const B = 1 + 2 * delta * r[PHI_D] + delta * delta * r[PHI_DD]
    // d/ddelta at constant tau
    const Xd = tau * tau * dtt
    const Ad = r[PHI_D] + delta * r[PHI_DD] - tau * r[PHI_DT] - delta * tau * ddt
    const Bd = 2 * r[PHI_D] + 4 * delta * r[PHI_DD] + delta * delta * ddd
    // d/dtau at constant delta
    const Xt = 2 * tau * phiTT + tau * tau * ttt
    const At = -delta * tau * dtt
    const Bt = 2 * delta * r[PHI_DT] + delta * delta * ddt
    const dcp = (dX: number, dA: number, dB: number) =>
      this.R * (-dX + (2 * A * dA * B - A * A * dB) / (B * B))
    out[0] = dcp(Xt, At, Bt) * (-tau / T)
    out[1] = dcp(Xd, Ad, Bd) / this.rhoc
  }
}
