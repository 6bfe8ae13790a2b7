/**
 * The slice of @rere/thermo's `PropertyPackage` the unit operations use (see
 * briefs/THERMO-API.md). Declared structurally so unit-ops type-checks and can be tested on its
 * own; the real package satisfies it.
 */
export interface ThermoStateLike {
  /** temperature [K] */ T: number
  /** pressure [Pa] */ P: number
  /** mass density [kg/m3] */ rho: number
  /** molar enthalpy [J/mol] */ h: number
  /** molar entropy [J/mol/K] */ s: number
  /** vapour fraction [-], null above the critical point */ x: number | null
  phase: 'liquid' | 'vapor' | 'supercritical' | 'two-phase'
  /** set for metastable states (liquid below the ice melting line) */
  metastable?: 'supercooled-liquid'
}

export interface Deriv {
  /** derivative w.r.t. pressure [unit/Pa] */ dP: number
  /** derivative w.r.t. molar enthalpy [unit/(J/mol)] */ dh: number
}

export interface PropsPH<S extends ThermoStateLike = ThermoStateLike> {
  state: S
  d: Record<'T' | 'rho' | 's' | 'x', Deriv>
}

export interface ThermoPackage<S extends ThermoStateLike = ThermoStateLike> {
  name: string
  compound: string
  version: string
  /** [kg/mol] */ molarMass: number
  bounds: { Tmin: number; Tmax: number; Pmin: number; Pmax: number }
  propsPH(P: number, h: number): PropsPH<S>
  flashTP(T: number, P: number): S
  flashPx(P: number, x: number): S
  flashTx(T: number, x: number): S
  flashPS(P: number, s: number): S
  saturationP(P: number): { T: number; P: number; liquid: S; vapor: S }
}
