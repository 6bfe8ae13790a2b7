/**
 * Pint unit strings (as the Ahuora/IDAES service spells them: `degC`, `kPa`, `kJ/kmol`,
 * `kg*m**2/s**3`, `W/(m**2*K)`, `delta_degC`, `percent`, `$` ...) <-> SI.
 *
 * The parsing and the unit table come from mathjs's `Unit` (a private instance, so nothing
 * global is changed); this file is a small adapter that
 *  - translates pint spellings to mathjs ones (`**` -> `^`, `$` -> `dollar`, `delta_degC` -> a
 *    temperature difference, `percent`, `dimensionless`, empty/null),
 *  - fixes the few units where pint and mathjs differ (`cal` is pint's thermochemical calorie,
 *    4.184 J; mathjs has none),
 *  - reduces every unit to an affine map `SI = (value + offset) * factor` and a dimension
 *    vector over pint's base units (kg, m, s, A, K, cd, mol, dollar), cached per string,
 *  - prints the SI unit of a dimension the way pint's `to_base_units()` does (`kg/m/s**2`).
 */
import { create, createUnitDependencies, unitDependencies } from 'mathjs'
import { AppError } from '@rere/contract'

const math = create({ unitDependencies, createUnitDependencies })
// pint: calorie = 4.184 J (thermochemical). mathjs has no `cal`.
math.createUnit('cal', { definition: '4.184 J', prefixes: 'short', aliases: ['calorie'] })
// pint: Btu = 1055.056 J (International Table); mathjs spells it BTU.
math.createUnit('Btu', { definition: '1055.05585262 J' })
// pint's exact definitions where mathjs rounds: psi = lbf/in**2, mmHg, torr = atm/760
math.createUnit('psi', { definition: '6894.757293168361 Pa' }, { override: true })
math.createUnit('mmHg', { definition: '133.322387415 Pa' }, { override: true })
math.createUnit('torr', { definition: '133.32236842105263 Pa' }, { override: true })
// pint's long names mathjs lacks
math.createUnit('pascal', { definition: '1 Pa', prefixes: 'long' })
math.createUnit('atmosphere', { definition: '101325 Pa' })
// money, its own base dimension (pint's `$`/`dollar` in the Ahuora registry).
math.createUnit('dollar', { aliases: ['USD'] })

/** pint base units, in the order of a dimension vector. */
export const BASE_UNITS = ['kg', 'm', 's', 'A', 'K', 'cd', 'mol', 'dollar'] as const
/** exponents over BASE_UNITS */
export type Dim = readonly number[]

const MATHJS_BASE_INDEX: Record<string, number> = {
  MASS: 0,
  LENGTH: 1,
  TIME: 2,
  CURRENT: 3,
  TEMPERATURE: 4,
  LUMINOUS_INTENSITY: 5,
  AMOUNT_OF_SUBSTANCE: 6,
  dollar_STUFF: 7,
  // ANGLE and BIT are dimensionless in pint
}

export interface ParsedUnit {
  /** the string as given */
  text: string
  /** SI = (value + offset) * factor */
  factor: number
  offset: number
  dim: Dim
  /** true when the unit is an absolute temperature with an offset (degC, degF) */
  hasOffset: boolean
  /** true for a temperature difference spelling (delta_degC, delta_degF) */
  isDelta: boolean
}

export const DIMENSIONLESS: Dim = [0, 0, 0, 0, 0, 0, 0, 0]

const SPECIAL: Record<string, { factor: number; dim: Dim }> = {
  '': { factor: 1, dim: DIMENSIONLESS },
  dimensionless: { factor: 1, dim: DIMENSIONLESS },
  percent: { factor: 0.01, dim: DIMENSIONLESS },
  '%': { factor: 0.01, dim: DIMENSIONLESS },
  ppm: { factor: 1e-6, dim: DIMENSIONLESS },
  fraction: { factor: 1, dim: DIMENSIONLESS },
}

const cache = new Map<string, ParsedUnit>()

function unknown(text: string, reason: string, path?: string): AppError {
  return new AppError(
    'UNITS_UNKNOWN',
    `unknown unit "${text}"${path ? ` at ${path}` : ''}: ${reason}`,
    {
      details: { unit: text, ...(path === undefined ? {} : { path }) },
    },
  )
}

/** Translate a pint spelling into one mathjs parses. Returns the text and whether it is a delta. */
function toMathjs(text: string): { s: string; isDelta: boolean } {
  let isDelta = false
  let s = text.replace(/\*\*/g, '^')
  // pint's long temperature names
  s = s.replace(/\bdelta_degree_(Celsius|Fahrenheit)\b/g, (_m, n: string) => `delta_deg${n[0]}`)
  s = s.replace(/\bdegree_(Celsius|Fahrenheit|Rankine)\b/g, (_m, n: string) => `deg${n[0]}`)
  s = s.replace(/\b(degree_Kelvin|degK)\b/g, 'K')
  s = s.replace(/\$/g, ' dollar ')
  s = s.replace(/\bdelta_deg([CF])\b/g, (_m, c: string) => {
    isDelta = true
    return c === 'C' ? 'K' : 'degR'
  })
  s = s.replace(/\bdimensionless\b/g, '1')
  return { s: s.trim(), isDelta }
}

/**
 * Parse a pint unit string. `null`, `undefined`, `''` and `'dimensionless'` are dimensionless.
 * @throws AppError UNITS_UNKNOWN (400) with details {unit, path?}
 */
export function parseUnit(text: string | null | undefined, path?: string): ParsedUnit {
  const key = text ?? ''
  const hit = cache.get(key)
  if (hit) return hit
  const parsed = parseUncached(key, path)
  if (cache.size > 5000) cache.clear()
  cache.set(key, parsed)
  return parsed
}

function parseUncached(text: string, path?: string): ParsedUnit {
  if (typeof text !== 'string') throw unknown(String(text), 'not a string', path)
  const trimmed = text.trim()
  const special = Object.hasOwn(SPECIAL, trimmed) ? SPECIAL[trimmed] : undefined
  if (special)
    return {
      text,
      factor: special.factor,
      offset: 0,
      dim: special.dim,
      hasOffset: false,
      isDelta: false,
    }
  if (trimmed.length > 200) throw unknown(text.slice(0, 50), 'too long', path)
  // only characters that can appear in a unit expression
  if (!/^[A-Za-z0-9_$%*/^().\s-]+$/.test(trimmed)) throw unknown(text, 'unexpected character', path)
  const { s, isDelta } = toMathjs(trimmed)
  let u: unknown
  try {
    u = math.unit(s)
  } catch (e) {
    throw unknown(text, e instanceof Error ? e.message : String(e), path)
  }
  const dim = [0, 0, 0, 0, 0, 0, 0, 0]
  const mdims = (u as unknown as { dimensions: number[] }).dimensions
  const baseNames = math.Unit.BASE_DIMENSIONS as unknown as string[]
  for (let i = 0; i < mdims.length; i++) {
    const exp = mdims[i] ?? 0
    if (exp === 0) continue
    const idx = MATHJS_BASE_INDEX[baseNames[i] ?? '']
    if (idx !== undefined) dim[idx] = exp
  }
  const parts = (
    u as unknown as {
      units: {
        unit: { name: string; value: number; offset: number }
        prefix: { value: number }
        power: number
      }[]
      value: number | null
    }
  ).units
  let factor = 1
  for (const p of parts) factor *= Math.pow(p.unit.value * p.prefix.value, p.power)
  const lead = (u as unknown as { value: number | null }).value
  // mathjs stores a leading number already in SI: divide the units' factor back out
  if (lead !== null && lead !== undefined) factor = lead
  let offset = 0
  const only = parts.length === 1 ? parts[0] : undefined
  if (!isDelta && only && only.power === 1 && only.unit.offset !== 0) offset = only.unit.offset
  if (offset !== 0 && lead !== null && lead !== undefined) {
    throw unknown(text, 'a number in front of an offset unit is ambiguous', path)
  }
  if (!Number.isFinite(factor) || factor === 0)
    throw unknown(text, 'zero or non-finite scale', path)
  return { text, factor, offset, dim, hasOffset: offset !== 0, isDelta }
}

/** true when the string is a unit we can parse. */
export function isKnownUnit(text: string | null | undefined): boolean {
  try {
    parseUnit(text)
    return true
  } catch {
    return false
  }
}

export function sameDim(a: Dim, b: Dim): boolean {
  for (let i = 0; i < BASE_UNITS.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return false
  return true
}

export function mulDim(a: Dim, b: Dim, sign = 1): Dim {
  return BASE_UNITS.map((_, i) => (a[i] ?? 0) + sign * (b[i] ?? 0))
}

export function powDim(a: Dim, p: number): Dim {
  return BASE_UNITS.map((_, i) => (a[i] ?? 0) * p)
}

export function isDimensionless(d: Dim): boolean {
  return d.every((x) => x === 0)
}

function fmtPow(name: string, p: number): string {
  const r = Math.round(p * 1e9) / 1e9
  return r === 1 ? name : `${name}**${r}`
}

/**
 * The SI (base) unit of a dimension, spelt as pint's `to_base_units()` prints it with the
 * short format: numerator units sorted and joined by `*`, then `/unit` for each denominator
 * unit, sorted (`kg*m**2/s**3`, `kg/m/s**2`, `kg/K/s**3`, `dollar/kg**2`, `dimensionless`).
 */
export function formatDim(dim: Dim): string {
  const num: string[] = []
  const den: string[] = []
  const order = BASE_UNITS.map((n, i) => ({ n, i })).sort((a, b) =>
    a.n < b.n ? -1 : a.n > b.n ? 1 : 0,
  )
  for (const { n, i } of order) {
    const p = dim[i] ?? 0
    if (p > 0) num.push(fmtPow(n, p))
    else if (p < 0) den.push(fmtPow(n, -p))
  }
  if (num.length === 0 && den.length === 0) return 'dimensionless'
  return (num.length ? num.join('*') : '1') + den.map((d) => `/${d}`).join('')
}

/** The pint spelling of the SI base unit of `unit` ('kW' -> 'kg*m**2/s**3'). */
export function siUnitOf(unit: string | null | undefined): string {
  return formatDim(parseUnit(unit).dim)
}

export interface ConvertOptions {
  /** treat temperatures as differences (no offset): a temperature difference quantity */
  difference?: boolean
  /** the dimension the value must have; mismatch -> UNITS_INCOMPATIBLE */
  expect?: { dim: Dim; name: string }
  /** JSON path for error details */
  path?: string
}

/** The UNITS_INCOMPATIBLE error for unit `u` where `expected` was wanted. */
export function incompatible(u: ParsedUnit, expected: string, path?: string): AppError {
  return new AppError(
    'UNITS_INCOMPATIBLE',
    `unit "${u.text}"${path ? ` at ${path}` : ''} is not a unit of ${expected}`,
    { details: { unit: u.text, expected, ...(path === undefined ? {} : { path }) } },
  )
}

/** Throw UNITS_INCOMPATIBLE unless `unit` has dimension `dim`. */
export function checkDim(
  unit: string | null | undefined,
  dim: Dim,
  expected: string,
  path?: string,
): ParsedUnit {
  const u = parseUnit(unit, path)
  if (!sameDim(u.dim, dim)) throw incompatible(u, expected, path)
  return u
}

/** value in `unit` -> SI. Absolute temperatures get their offset unless `difference`. */
export function toSI(
  value: number,
  unit: string | null | undefined,
  opts: ConvertOptions = {},
): number {
  const u = parseUnit(unit, opts.path)
  if (opts.expect && !sameDim(u.dim, opts.expect.dim))
    throw incompatible(u, opts.expect.name, opts.path)
  return opts.difference ? value * u.factor : (value + u.offset) * u.factor
}

/** SI value -> `unit`. */
export function fromSI(
  valueSI: number,
  unit: string | null | undefined,
  opts: ConvertOptions = {},
): number {
  const u = parseUnit(unit, opts.path)
  if (opts.expect && !sameDim(u.dim, opts.expect.dim))
    throw incompatible(u, opts.expect.name, opts.path)
  return opts.difference ? valueSI / u.factor : valueSI / u.factor - u.offset
}

/** Convert between two units of the same dimension (UNITS_INCOMPATIBLE otherwise). */
export function convert(
  value: number,
  from: string | null | undefined,
  to: string | null | undefined,
  opts: { difference?: boolean; path?: string } = {},
): number {
  const a = parseUnit(from, opts.path)
  const b = parseUnit(to, opts.path)
  if (!sameDim(a.dim, b.dim))
    throw incompatible(a, `${to ?? 'dimensionless'} (${formatDim(b.dim)})`, opts.path)
  const si = opts.difference ? value * a.factor : (value + a.offset) * a.factor
  return opts.difference ? si / b.factor : si / b.factor - b.offset
}
