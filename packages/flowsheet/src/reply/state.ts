/**
 * Stream properties from a thermodynamic state (shared by `/build_state` and the solve reply),
 * and `/build_state` itself: a state block of pure water given two intensive specifications
 * (T, P, h, s or x) and optionally a flow.
 */
import { AppError } from '@rere/contract'
import { getPropertyPackage } from '@rere/thermo'
import type { SolvedProperty } from '@rere/contract'
import { parseStateBlock } from '../document/parse.ts'
import type { Spec } from '../document/model.ts'
import { stateBlockPropertyName } from './names.ts'

/** The part of @rere/thermo's ThermoState this module reads (SI, molar basis). */
export interface StateLike {
  T: number
  P: number
  rho: number
  h: number
  s: number
  x: number | null
  hMass: number
  sMass: number
  phase: string
}

/** The part of @rere/thermo's PropertyPackage this module calls. */
export interface FlashLike {
  molarMass: number
  critical: { T: number; P: number }
  flashTP(T: number, P: number): StateLike
  flashPH(P: number, h: number): StateLike
  flashPS(P: number, s: number): StateLike
  flashTx(T: number, x: number): StateLike
  flashPx(P: number, x: number): StateLike
}

/**
 * SI value of a stream property (IDAES name) of a state with molar flow `flowMol` [mol/s].
 * Vapour fraction above the critical point is reported as 1 when T > Tc, else 0 (IDAES's
 * Helmholtz package reports a single phase there). Returns null for keys it does not know.
 * @param molarMass - [kg/mol]
 */
export function streamValue(
  key: string,
  st: StateLike,
  flowMol: number | null,
  molarMass: number,
  Tc = 647.096,
): number | null {
  switch (key) {
    case 'temperature':
      return st.T
    case 'pressure':
      return st.P
    case 'enth_mol':
      return st.h
    case 'enth_mass':
      return st.hMass
    case 'entr_mol':
      return st.s
    case 'entr_mass':
      return st.sMass
    case 'vapor_frac':
      return st.x ?? (st.T > Tc ? 1 : 0)
    case 'flow_mol':
      return flowMol
    case 'flow_mass':
      return flowMol === null ? null : flowMol * molarMass
    case 'flow_vol':
      return flowMol === null ? null : (flowMol * molarMass) / st.rho
    case 'dens_mass':
      return st.rho
    case 'total_energy_flow':
      return flowMol === null ? null : flowMol * st.h
    case 'mole_frac_comp':
      return 1
    case 'mole_frac_phase_comp':
      return null
    default:
      return null
  }
}

const INTENSIVE = [
  'temperature',
  'pressure',
  'enth_mol',
  'enth_mass',
  'entr_mol',
  'entr_mass',
  'vapor_frac',
] as const

function stateError(code: string, message: string, given: string[]): AppError {
  return new AppError(code, message, { statusCode: 422, details: { path: 'properties', given } })
}

/** Flash a state from the fixed (non-guess) values of a state block. */
export function flashFromSpecs(
  specs: Spec[],
  pkg: FlashLike,
): { state: StateLike; flowMol: number | null } {
  const M = pkg.molarMass
  const fixed = specs.filter((s) => s.value !== null && !s.guess)
  const v: Record<string, number> = {}
  for (const s of fixed) v[s.key] = s.value as number
  const T: number | undefined = v.temperature
  const P: number | undefined = v.pressure
  const h = v.enth_mol ?? (v.enth_mass === undefined ? undefined : v.enth_mass * M)
  const s = v.entr_mol ?? (v.entr_mass === undefined ? undefined : v.entr_mass * M)
  const x = v.vapor_frac
  const given = INTENSIVE.filter((k) => v[k] !== undefined)
  const kinds = [T, P, h, s, x].filter((z) => z !== undefined).length
  if (v.enth_mol !== undefined && v.enth_mass !== undefined) {
    throw stateError('FLOWSHEET_OVERSPECIFIED', 'both enth_mol and enth_mass are given', given)
  }
  if (v.entr_mol !== undefined && v.entr_mass !== undefined) {
    throw stateError('FLOWSHEET_OVERSPECIFIED', 'both entr_mol and entr_mass are given', given)
  }
  if (kinds < 2) {
    throw stateError(
      'FLOWSHEET_UNDERSPECIFIED',
      `a water state needs two of temperature, pressure, enthalpy, entropy, vapor_frac; given: ${given.join(', ') || 'none'}`,
      given,
    )
  }
  if (kinds > 2) {
    throw stateError(
      'FLOWSHEET_OVERSPECIFIED',
      `a water state takes two intensive specifications; given: ${given.join(', ')}`,
      given,
    )
  }
  let state: StateLike
  if (T !== undefined && P !== undefined) state = pkg.flashTP(T, P)
  else if (P !== undefined && h !== undefined) state = pkg.flashPH(P, h)
  else if (P !== undefined && s !== undefined) state = pkg.flashPS(P, s)
  else if (T !== undefined && x !== undefined) state = pkg.flashTx(T, x)
  else if (P !== undefined && x !== undefined) state = pkg.flashPx(P, x)
  else {
    throw stateError(
      'FLOWSHEET_UNSUPPORTED_SPEC',
      `the pair (${given.join(', ')}) is not supported for a state block: give pressure with one of T, h, s, x, or temperature with x`,
      given,
    )
  }
  let flowMol: number | null = null
  const flows = ['flow_mol', 'flow_mass', 'flow_vol'].filter((k) => v[k] !== undefined)
  if (flows.length > 1)
    throw stateError(
      'FLOWSHEET_OVERSPECIFIED',
      `several flows are given: ${flows.join(', ')}`,
      flows,
    )
  if (v.flow_mol !== undefined) flowMol = v.flow_mol
  else if (v.flow_mass !== undefined) flowMol = v.flow_mass / M
  else if (v.flow_vol !== undefined) flowMol = (v.flow_vol * state.rho) / M
  return { state, flowMol }
}

/**
 * `/build_state`: the bare list of the request's properties with their values (given or
 * computed), named `fs.PP_<package id>_state[0.0].<key>` as upstream. Indexed composition
 * entries (mole_frac_comp) are not echoed, as upstream.
 * @param resolve - returns the property package (`getPropertyPackage` of @rere/thermo)
 */
export function buildStateWith(
  doc: unknown,
  resolve: (name: string, compound: string) => FlashLike,
): SolvedProperty[] {
  const m = parseStateBlock(doc)
  const pkg = resolve(m.package.name, m.package.compound)
  const { state, flowMol } = flashFromSpecs(m.specs, pkg)
  const out = new Map<number, SolvedProperty>()
  for (const s of m.specs) {
    if (s.indexes.length > 0) continue
    const v = streamValue(s.key, state, flowMol, pkg.molarMass, pkg.critical.T)
    out.set(s.id, {
      id: s.id,
      name: stateBlockPropertyName(m.blockName, s),
      value: v === null || !Number.isFinite(v) ? null : [v],
      unit: s.unitSI,
      unknown_units: false,
    })
  }
  return [...out.values()]
}

/** `/build_state` with Rere's property packages (@rere/thermo). */
export function buildState(doc: unknown): SolvedProperty[] {
  return buildStateWith(doc, (name, compound) => getPropertyPackage(name, compound))
}
