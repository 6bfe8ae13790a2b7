/**
 * A state from any supported pair of inputs, and unit-suffixed input values (`80degC`, `1bar`,
 * `2500 kJ/kg`) for the command line. Keys: T [K], P [Pa], h [J/mol], s [J/(mol K)], u [J/mol],
 * rho [kg/m3], x [-]. Mass-basis units (kJ/kg, kJ/kg/K) are accepted for h, s, u and converted
 * with the package's molar mass.
 */
import { parseUnit, sameDim } from '@rere/units'
import { badInput } from './errors.ts'
import type { PropertyPackage, ThermoState } from './types.ts'

export const INPUT_KEYS = ['T', 'P', 'h', 's', 'u', 'rho', 'x'] as const
export type InputKey = (typeof INPUT_KEYS)[number]
export type Inputs = Partial<Record<InputKey, number>>

/** The supported pairs, in the order they are tried. */
export const PAIRS: [InputKey, InputKey][] = [
  ['T', 'P'],
  ['P', 'h'],
  ['P', 's'],
  ['P', 'u'],
  ['T', 'x'],
  ['P', 'x'],
  ['T', 'rho'],
]

/** Flash from exactly one supported pair of inputs. */
export function flashInputs(pkg: PropertyPackage, inp: Inputs): ThermoState {
  const given = INPUT_KEYS.filter((k) => inp[k] !== undefined)
  const pair = PAIRS.find(([a, b]) => given.length === 2 && given.includes(a) && given.includes(b))
  if (!pair)
    throw badInput(
      'inputs',
      given.join(','),
      `give exactly one supported pair of ${INPUT_KEYS.join(', ')}: ${PAIRS.map((p) => p.join(',')).join('; ')} (got ${given.length ? given.join(',') : 'none'})`,
    )
  const v = (k: InputKey) => inp[k] as number
  switch (pair.join(',')) {
    case 'T,P':
      return pkg.flashTP(v('T'), v('P'))
    case 'P,h':
      return pkg.flashPH(v('P'), v('h'))
    case 'P,s':
      return pkg.flashPS(v('P'), v('s'))
    case 'P,u':
      return pkg.flashPU(v('P'), v('u'))
    case 'T,x':
      return pkg.flashTx(v('T'), v('x'))
    case 'P,x':
      return pkg.flashPx(v('P'), v('x'))
    default:
      return pkg.flashTRho(v('T'), v('rho'))
  }
}

const dims = {
  K: parseUnit('K').dim,
  Pa: parseUnit('Pa').dim,
  Jmol: parseUnit('J/mol').dim,
  Jkg: parseUnit('J/kg').dim,
  JmolK: parseUnit('J/mol/K').dim,
  JkgK: parseUnit('J/kg/K').dim,
  kgm3: parseUnit('kg/m**3').dim,
  molm3: parseUnit('mol/m**3').dim,
  one: parseUnit('').dim,
}

const NUM = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$/

/**
 * A value with an optional unit suffix -> SI (molar basis).
 * @param key - the input key
 * @param text - e.g. '80degC', '1 bar', '2675 kJ/kg', '0.5'
 * @param molarMass - [kg/mol] for mass-basis units
 */
export function parseInput(key: string, text: string, molarMass: number): number {
  if (!(INPUT_KEYS as readonly string[]).includes(key))
    throw badInput('key', key, `unknown key "${key}"; use ${INPUT_KEYS.join(', ')}`)
  const m = NUM.exec(text)
  if (!m) throw badInput(key, text, `${key}=${text}: not a number with an optional unit`)
  const value = Number(m[1])
  const unitText = m[2].replace(/^\[|\]$/g, '')
  if (unitText === '') return value
  let u
  try {
    u = parseUnit(unitText === '%' ? 'percent' : unitText)
  } catch {
    throw badInput(key, text, `${key}=${text}: unknown unit "${unitText}"`)
  }
  const si = (value + u.offset) * u.factor
  const ok = (d: readonly number[]) => sameDim(u.dim, d)
  const k = key as InputKey
  if (k === 'T' && ok(dims.K)) return si
  if (k === 'P' && ok(dims.Pa)) return si
  if ((k === 'h' || k === 'u') && ok(dims.Jmol)) return si
  if ((k === 'h' || k === 'u') && ok(dims.Jkg)) return si * molarMass
  if (k === 's' && ok(dims.JmolK)) return si
  if (k === 's' && ok(dims.JkgK)) return si * molarMass
  if (k === 'rho' && ok(dims.kgm3)) return si
  if (k === 'rho' && ok(dims.molm3)) return si * molarMass
  if (k === 'x' && ok(dims.one)) return si
  throw badInput(key, text, `${key}=${text}: unit "${unitText}" is not a unit of ${key}`)
}
