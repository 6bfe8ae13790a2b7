/**
 * Units in the editor, on top of @rere/units (pint spellings, conversions, and the unit choices
 * per quantity kind): which kind a property is, what the selectors offer, labels, number
 * formatting and validation as you type.
 */
import {
  QUANTITY_KINDS,
  fromSI as unitsFromSI,
  parseUnit,
  sameDim,
  toSI as unitsToSI,
} from '@rere/units'

export { QUANTITY_KINDS }
export { formatNumber } from './format.ts'

/** The quantity kind of a property: its declared `quantity`, else from its SI unit and key. */
export function quantityOf(p: {
  quantity?: string | null
  key?: string
  unitSI?: string | null
}): string {
  const key = p.key ?? ''
  if (p.quantity && QUANTITY_KINDS[p.quantity]) return p.quantity
  const q = (p.quantity ?? '').toLowerCase()
  const delta = /delta|difference/i.test(key) || q.includes('difference')
  if (p.unitSI !== undefined && p.unitSI !== null) {
    try {
      const dim = parseUnit(p.unitSI).dim
      const matches = Object.values(QUANTITY_KINDS).filter((k) => sameDim(k.dim, dim))
      if (matches.length) {
        const pick =
          matches.find((k) =>
            delta ? k.kind.endsWith('_difference') : !k.kind.endsWith('_difference'),
          ) ?? matches[0]
        return pick.kind
      }
    } catch {
      // unknown SI unit: fall through to the key
    }
  }
  if (key === 'temperature') return 'temperature'
  if (/pressure/.test(key)) return 'pressure'
  if (key === 'deltaP') return 'pressure_difference'
  if (key === 'flow_mol') return 'molar_flow'
  if (/work|duty/.test(key)) return 'power'
  if (key.startsWith('enth_mol')) return 'molar_enthalpy'
  if (key.startsWith('entr_mol')) return 'molar_entropy'
  return 'dimensionless'
}

const LABELS: Record<string, string> = {
  degC: '°C',
  degF: '°F',
  delta_degC: 'Δ°C',
  delta_degF: 'Δ°F',
  dimensionless: '–',
  percent: '%',
  'J/K/mol': 'J/(mol·K)',
  'kJ/K/kmol': 'kJ/(kmol·K)',
  'kJ/K/mol': 'kJ/(mol·K)',
  'kJ/K/kg': 'kJ/(kg·K)',
  'J/K/kg': 'J/(kg·K)',
  'W/(m**2*K)': 'W/(m²·K)',
  'kW/(m**2*K)': 'kW/(m²·K)',
}

export function unitLabel(unit: string): string {
  return LABELS[unit] ?? unit.replace(/\*\*2/g, '²').replace(/\*\*3/g, '³').replace(/\*/g, '·')
}

/** Unit choices for a property of this kind (the current unit first if it is not a choice). */
export function choicesFor(kind: string, current?: string): string[] {
  const list = QUANTITY_KINDS[kind]?.choices ?? []
  return current !== undefined && !list.includes(current) ? [current, ...list] : [...list]
}

/** Convert an SI value to `unit` (NaN when the unit is unknown). */
export function fromSI(v: number, unit: string, kind?: string): number {
  try {
    return unitsFromSI(v, unit, { difference: !!kind && QUANTITY_KINDS[kind]?.difference === true })
  } catch {
    return NaN
  }
}

/** Convert a value in `unit` to SI (NaN when the unit is unknown). */
export function toSI(v: number, unit: string, kind?: string): number {
  try {
    return unitsToSI(v, unit, { difference: !!kind && QUANTITY_KINDS[kind]?.difference === true })
  } catch {
    return NaN
  }
}

/**
 * Validate what the user typed for a property of kind `kind` in `unit`: a finite number, no
 * negative absolute temperature or pressure, no negative flow, efficiencies in (0, 1],
 * vapour fractions in [0, 1]. Empty = "compute it" (valid).
 */
export function validateInput(
  text: string,
  kind: string,
  unit: string,
  key = '',
): { value: number | null; error: string | null } {
  const t = text.trim()
  if (t === '') return { value: null, error: null }
  const n = Number(t.replace(',', '.'))
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t.replace(',', '.')) || !Number.isFinite(n))
    return { value: null, error: 'Enter a number' }
  if (kind === 'temperature') {
    const si = toSI(n, unit, kind)
    if (si < 0) return { value: n, error: 'Below absolute zero (0 K)' }
  }
  if (kind === 'pressure') {
    const si = toSI(n, unit, kind)
    if (si <= 0) return { value: n, error: 'Absolute pressure must be above zero' }
  }
  if ((kind === 'molar_flow' || kind === 'mass_flow') && n < 0)
    return { value: n, error: 'Flow cannot be negative' }
  const si = kind === 'dimensionless' ? toSI(n, unit) : n
  if (/efficiency/.test(key) && (si <= 0 || si > 1))
    return { value: n, error: 'Efficiency must be above 0 and at most 1' }
  if (key === 'vapor_frac' && (si < 0 || si > 1))
    return { value: n, error: 'Vapour fraction must be between 0 and 1' }
  return { value: n, error: null }
}
