/** Typed errors of the thermo package (codes documented in docs/errors.md, "Thermodynamics"). */
import { AppError } from '@rere/contract'

export const THERMO_OUT_OF_RANGE = 'THERMO_OUT_OF_RANGE'
export const THERMO_BAD_INPUT = 'THERMO_BAD_INPUT'
export const THERMO_NO_CONVERGENCE = 'THERMO_NO_CONVERGENCE'

const UNITS: Record<string, string> = {
  T: 'K',
  P: 'Pa',
  h: 'J/mol',
  s: 'J/mol/K',
  u: 'J/mol',
  rho: 'kg/m3',
  x: '-',
}

/**
 * THERMO_OUT_OF_RANGE naming the field, its value and the supported range; `note` (optional)
 * names the bound (e.g. the melting line at the given pressure).
 */
export function outOfRange(
  field: string,
  value: number,
  min: number,
  max: number,
  note = '',
): AppError {
  const unit = UNITS[field] ?? ''
  return new AppError(
    THERMO_OUT_OF_RANGE,
    `${field} = ${value} ${unit} is outside the supported range [${min}, ${max}] ${unit}` +
      (note ? ` (${note})` : ''),
    { statusCode: 422, details: { field, value, min, max, unit } },
  )
}

export function badInput(field: string, value: unknown, message: string): AppError {
  return new AppError(THERMO_BAD_INPUT, message, {
    statusCode: 400,
    details: {
      field,
      value: typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
    },
  })
}

export function noConvergence(what: string, details: Record<string, unknown>): AppError {
  return new AppError(THERMO_NO_CONVERGENCE, `${what} did not converge`, {
    statusCode: 422,
    details,
  })
}

/** Throws THERMO_BAD_INPUT unless v is a finite number. */
export function requireFinite(field: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw badInput(field, v, `${field} must be a finite number, got ${String(v)}`)
}
