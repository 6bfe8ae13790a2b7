/**
 * Quantity kinds: the dimension, the SI unit (pint spelling) and the unit choices the web
 * editor offers for each kind of property. Conversions of a value of a known kind go through
 * `toSIKind` / `fromSIKind`, which also check the dimension (UNITS_INCOMPATIBLE).
 */
import { AppError } from '@rere/contract'
import { type Dim, incompatible, parseUnit, sameDim } from './units.ts'

export interface QuantityKindInfo {
  kind: string
  displayName: string
  /** dimension over [kg, m, s, A, K, cd, mol, dollar] */
  dim: Dim
  /** SI unit, pint spelling */
  si: string
  /** units the editor offers, the first is the default the UI shows */
  choices: string[]
  /** temperatures of this kind are differences (no offset: 10 degC difference = 10 K) */
  difference?: boolean
}

const d = (kg: number, m: number, s: number, K = 0, mol = 0, dollar = 0): Dim => [
  kg,
  m,
  s,
  0,
  K,
  0,
  mol,
  dollar,
]

/**
 * Note: mass-based enthalpy (kJ/kg) is its own kind (`mass_enthalpy`); converting kJ/kg to a
 * molar enthalpy needs the molar mass, which is the property package's job, not this table's.
 */
export const QUANTITY_KINDS: Record<string, QuantityKindInfo> = {
  temperature: {
    kind: 'temperature',
    displayName: 'Temperature',
    dim: d(0, 0, 0, 1),
    si: 'K',
    choices: ['degC', 'K', 'degF'],
  },
  temperature_difference: {
    kind: 'temperature_difference',
    displayName: 'Temperature difference',
    dim: d(0, 0, 0, 1),
    si: 'K',
    choices: ['K', 'delta_degC', 'delta_degF'],
    difference: true,
  },
  pressure: {
    kind: 'pressure',
    displayName: 'Pressure',
    dim: d(1, -1, -2),
    si: 'Pa',
    choices: ['kPa', 'bar', 'Pa', 'atm', 'psi', 'MPa'],
  },
  pressure_difference: {
    kind: 'pressure_difference',
    displayName: 'Pressure difference',
    dim: d(1, -1, -2),
    si: 'Pa',
    choices: ['kPa', 'bar', 'Pa', 'atm', 'psi', 'MPa'],
  },
  molar_flow: {
    kind: 'molar_flow',
    displayName: 'Molar flow',
    dim: d(0, 0, -1, 0, 1),
    si: 'mol/s',
    choices: ['mol/s', 'kmol/h', 'mol/min', 'kmol/s'],
  },
  mass_flow: {
    kind: 'mass_flow',
    displayName: 'Mass flow',
    dim: d(1, 0, -1),
    si: 'kg/s',
    choices: ['kg/s', 'kg/h', 't/h'],
  },
  volumetric_flow: {
    kind: 'volumetric_flow',
    displayName: 'Volumetric flow',
    dim: d(0, 3, -1),
    si: 'm**3/s',
    choices: ['m**3/s', 'm**3/h', 'L/s', 'L/min'],
  },
  power: {
    kind: 'power',
    displayName: 'Power',
    dim: d(1, 2, -3),
    si: 'W',
    choices: ['kW', 'W', 'MW', 'kJ/s', 'J/s'],
  },
  molar_enthalpy: {
    kind: 'molar_enthalpy',
    displayName: 'Molar enthalpy',
    dim: d(1, 2, -2, 0, -1),
    si: 'J/mol',
    choices: ['J/mol', 'kJ/mol', 'kJ/kmol', 'cal/mol'],
  },
  mass_enthalpy: {
    kind: 'mass_enthalpy',
    displayName: 'Specific enthalpy',
    dim: d(0, 2, -2),
    si: 'J/kg',
    choices: ['kJ/kg', 'J/kg'],
  },
  molar_entropy: {
    kind: 'molar_entropy',
    displayName: 'Molar entropy',
    dim: d(1, 2, -2, -1, -1),
    si: 'J/K/mol',
    choices: ['J/K/mol', 'kJ/K/kmol', 'kJ/K/mol'],
  },
  mass_entropy: {
    kind: 'mass_entropy',
    displayName: 'Specific entropy',
    dim: d(0, 2, -2, -1),
    si: 'J/K/kg',
    choices: ['kJ/K/kg', 'J/K/kg'],
  },
  area: {
    kind: 'area',
    displayName: 'Area',
    dim: d(0, 2, 0),
    si: 'm**2',
    choices: ['m**2', 'cm**2'],
  },
  heat_transfer_coefficient: {
    kind: 'heat_transfer_coefficient',
    displayName: 'Heat-transfer coefficient',
    dim: d(1, 0, -3, -1),
    si: 'kg/K/s**3',
    choices: ['W/(m**2*K)', 'kW/(m**2*K)'],
  },
  mass_density: {
    kind: 'mass_density',
    displayName: 'Density',
    dim: d(1, -3, 0),
    si: 'kg/m**3',
    choices: ['kg/m**3', 'g/cm**3'],
  },
  dimensionless: {
    kind: 'dimensionless',
    displayName: 'Dimensionless',
    dim: d(0, 0, 0),
    si: 'dimensionless',
    choices: ['dimensionless', 'percent'],
  },
  currency: {
    kind: 'currency',
    displayName: 'Money',
    dim: d(0, 0, 0, 0, 0, 1),
    si: 'dollar',
    choices: ['$'],
  },
}

export function getKind(kind: string): QuantityKindInfo {
  const k = QUANTITY_KINDS[kind]
  if (!k) {
    throw new AppError('UNITS_UNKNOWN_KIND', `unknown quantity kind "${kind}"`, {
      details: { kind },
    })
  }
  return k
}

/** Unit choices the editor offers for a quantity kind (first = default). */
export function unitChoices(kind: string): string[] {
  return [...getKind(kind).choices]
}

/** value in `unit` (null/'' = dimensionless) of quantity `kind` -> SI; checks the dimension. */
export function toSIKind(
  value: number,
  unit: string | null | undefined,
  kind: string,
  path?: string,
): number {
  const k = getKind(kind)
  const u = parseUnit(unit, path)
  if (!sameDim(u.dim, k.dim)) throw incompatible(u, `${k.kind} (${k.si})`, path)
  return k.difference === true || u.isDelta ? value * u.factor : (value + u.offset) * u.factor
}

/** SI value of quantity `kind` -> `unit`; checks the dimension. */
export function fromSIKind(
  valueSI: number,
  unit: string | null | undefined,
  kind: string,
  path?: string,
): number {
  const k = getKind(kind)
  const u = parseUnit(unit, path)
  if (!sameDim(u.dim, k.dim)) throw incompatible(u, `${k.kind} (${k.si})`, path)
  return k.difference === true || u.isDelta ? valueSI / u.factor : valueSI / u.factor - u.offset
}
