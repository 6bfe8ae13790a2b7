/** Public types of @rere/thermo (agreed in briefs/THERMO-API.md). All SI, molar basis. */
import type { Envelope } from '@rere/contract'

export type Phase = 'liquid' | 'vapor' | 'supercritical' | 'two-phase'

export interface ThermoState {
  /** temperature [K] */
  T: number
  /** pressure [Pa] */
  P: number
  /** mass density [kg/m3] (mixture density in two-phase) */
  rho: number
  /** molar enthalpy [J/mol] */
  h: number
  /** molar entropy [J/(mol K)] */
  s: number
  /** molar internal energy [J/mol] */
  u: number
  /** molar Gibbs energy [J/mol] */
  g: number
  /** molar isobaric heat capacity [J/(mol K)]; null inside the dome */
  cp: number | null
  /** molar isochoric heat capacity [J/(mol K)]; null inside the dome */
  cv: number | null
  /** speed of sound [m/s]; null inside the dome */
  w: number | null
  /** vapour fraction: 0 liquid, 1 vapour, (0,1) two-phase, null supercritical */
  x: number | null
  phase: Phase
  /**
   * Set only for metastable states: 'supercooled-liquid' is liquid below the ice melting
   * temperature at P (IAPWS-95 extrapolated, down to the documented limit; docs/thermo.md).
   * Absent for stable states.
   */
  metastable?: 'supercooled-liquid'
  /** specific enthalpy [J/kg] */
  hMass: number
  /** specific entropy [J/(kg K)] */
  sMass: number
}

export interface Saturation {
  /** saturation temperature [K] */
  T: number
  /** saturation pressure [Pa] */
  P: number
  liquid: ThermoState
  vapor: ThermoState
}

export interface Derivative {
  /** derivative with respect to pressure at constant molar enthalpy [.../Pa] */
  dP: number
  /** derivative with respect to molar enthalpy at constant pressure [.../(J/mol)] */
  dh: number
}

export type PHDerivativeKey = 'T' | 'rho' | 's' | 'x' | 'u' | 'cp'

export interface PropsPH {
  state: ThermoState
  d: Record<PHDerivativeKey, Derivative>
}

export interface Bounds {
  /** lowest temperature [K] */
  Tmin: number
  /** highest temperature [K] */
  Tmax: number
  /** lowest pressure [Pa] */
  Pmin: number
  /** highest pressure [Pa] */
  Pmax: number
}

export interface PropertyPackage {
  readonly name: 'helmholtz' | 'if97'
  readonly compound: string
  readonly version: string
  /** molar mass [kg/mol] */
  readonly molarMass: number
  readonly critical: { T: number; P: number; rho: number }
  readonly triple: { T: number; P: number }
  readonly bounds: Bounds
  /** @param T - temperature [K] @param P - pressure [Pa] */
  flashTP(T: number, P: number): ThermoState
  /** @param P - pressure [Pa] @param h - molar enthalpy [J/mol] */
  flashPH(P: number, h: number): ThermoState
  /** @param P - pressure [Pa] @param s - molar entropy [J/(mol K)] */
  flashPS(P: number, s: number): ThermoState
  /** @param T - temperature [K] @param x - vapour fraction [-] */
  flashTx(T: number, x: number): ThermoState
  /** @param P - pressure [Pa] @param x - vapour fraction [-] */
  flashPx(P: number, x: number): ThermoState
  /** @param T - temperature [K] @param rhoMass - mass density [kg/m3] */
  flashTRho(T: number, rhoMass: number): ThermoState
  /** @param P - pressure [Pa] @param u - molar internal energy [J/mol] */
  flashPU(P: number, u: number): ThermoState
  /** (P,h) flash with exact first derivatives of T, rho, s, x, u, cp w.r.t. P and h. */
  propsPH(P: number, h: number): PropsPH
  /** @param T - saturation temperature [K] */
  saturationT(T: number): Saturation
  /** @param P - saturation pressure [Pa] */
  saturationP(P: number): Saturation
  /** the saturation curve, n points from the triple point to the critical point */
  envelope(n?: number): Envelope
}
