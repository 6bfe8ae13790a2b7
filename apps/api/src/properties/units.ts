/**
 * Unit handling of property values (through @rere/units): values are stored in the unit the
 * user chose, with their SI equivalent kept beside them. Errors name the field `unit`.
 */
import { AppError, isAppError } from '@rere/contract'
import {
  QUANTITY_KINDS,
  fromSI,
  parseUnit,
  siUnitOf,
  toSI,
  toSIKind,
  fromSIKind,
} from '@rere/units'

/** `obj[key]` for own keys only (no `__proto__` / `constructor` surprises from user input). */
function own<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined
}

/** The quantity kind `kind`, or undefined when Rere does not know it. */
export function kindInfo(kind: string) {
  return own(QUANTITY_KINDS, kind)
}

/** Quantity kinds of the IDAES property names Rere knows (others: inferred from the unit). */
export const KIND_OF_KEY: Record<string, string> = {
  temperature: 'temperature',
  pressure: 'pressure',
  flow_mol: 'molar_flow',
  flow_mass: 'mass_flow',
  enth_mol: 'molar_enthalpy',
  entr_mol: 'molar_entropy',
  enth_mass: 'mass_enthalpy',
  entr_mass: 'mass_entropy',
  vapor_frac: 'dimensionless',
  dens_mass: 'mass_density',
  efficiency_pump: 'dimensionless',
  efficiency_isentropic: 'dimensionless',
  deltaP: 'pressure_difference',
  'hot_side.deltaP': 'pressure_difference',
  'cold_side.deltaP': 'pressure_difference',
  ratioP: 'dimensionless',
  heat_duty: 'power',
  work_mechanical: 'power',
  work_fluid: 'power',
  work_isentropic: 'power',
  area: 'area',
  overall_heat_transfer_coefficient: 'heat_transfer_coefficient',
  delta_temperature_in: 'temperature_difference',
  delta_temperature_out: 'temperature_difference',
  split_fraction: 'dimensionless',
}

/** The quantity kind of a property: its key's, or the first kind whose dimension fits `unit`. */
export function kindFor(key: string, unit: string | null | undefined): string {
  const known = own(KIND_OF_KEY, key) ?? own(KIND_OF_KEY, key.replace(/^.*\./, ''))
  if (known) return known
  try {
    const si = siUnitOf(unit)
    for (const k of Object.values(QUANTITY_KINDS)) if (siUnitOf(k.si) === si) return k.kind
  } catch {
    /* unknown unit: no kind */
  }
  return ''
}

/** Default display unit of a kind (the editor's first choice), else SI of `unit`. */
export function defaultUnitOf(kind: string): string {
  return kindInfo(kind)?.choices[0] ?? 'dimensionless'
}

function withField(e: unknown, field: string): never {
  if (!isAppError(e)) {
    // a unit string the parser trips over is still just an unknown unit
    throw new AppError('UNITS_UNKNOWN', `unknown unit: ${(e as Error)?.message ?? String(e)}`, {
      details: { field },
      cause: e,
    })
  }
  if (e.code.startsWith('UNITS_')) {
    throw new AppError(e.code, e.message, {
      statusCode: 400,
      details: { ...(e.details ?? {}), field },
      cause: e,
    })
  }
  throw e
}

/** A blank unit (Ahuora documents leave computed values' units empty) means the kind's SI unit. */
export function effectiveUnit(unit: string | null | undefined, kind: string): string {
  return unit ? unit : (kindInfo(kind)?.si ?? 'dimensionless')
}

/** The SI unit (pint spelling) of a property of `kind` written in `unit`. */
export function unitSIOf(unit: string, kind: string, field = 'unit'): string {
  unit = effectiveUnit(unit, kind)
  try {
    const k = kindInfo(kind)
    if (k) {
      // checks the dimension too
      toSIKind(1, unit, kind)
      return k.si
    }
    return siUnitOf(unit)
  } catch (e) {
    return withField(e, field)
  }
}

/** value in `unit` -> SI (checks that `unit` fits `kind`; 400 UNITS_* naming `unit`). */
export function valueToSI(value: number, unit: string, kind: string, field = 'unit'): number {
  unit = effectiveUnit(unit, kind)
  try {
    return kindInfo(kind) ? toSIKind(value, unit, kind) : toSI(value, unit)
  } catch (e) {
    return withField(e, field)
  }
}

/** SI value -> `unit`. */
export function valueFromSI(valueSI: number, unit: string, kind: string): number {
  unit = effectiveUnit(unit, kind)
  try {
    return kindInfo(kind) ? fromSIKind(valueSI, unit, kind) : fromSI(valueSI, unit)
  } catch (e) {
    return withField(e, 'unit')
  }
}

/**
 * `unit` of `kind` as an affine map to SI: valueSI = value * factor + offset (every unit of a
 * physical quantity is one; temperatures have the offset). Lets SQL convert SI values back into a
 * property's unit without this library.
 */
export function siLine(unit: string, kind: string): { factor: number; offset: number } {
  const offset = valueToSI(0, unit, kind)
  const factor = valueToSI(1, unit, kind) - offset
  return { factor, offset }
}

/** Throws UNITS_UNKNOWN (field `unit`) unless `unit` parses. */
export function checkUnit(unit: string, field = 'unit'): void {
  try {
    parseUnit(unit)
  } catch (e) {
    withField(e, field)
  }
}
