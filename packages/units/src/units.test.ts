import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { AppError } from '@rere/contract'
import {
  QUANTITY_KINDS,
  convert,
  formatDim,
  fromSI,
  fromSIKind,
  isKnownUnit,
  parseUnit,
  siUnitOf,
  toSI,
  toSIKind,
  unitChoices,
} from './index.ts'

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('expected an AppError')
}

describe('pint spellings used by the Ahuora data -> SI', () => {
  it.each([
    ['K', 300, 300],
    ['degC', 80, 353.15],
    ['degF', 212, 373.15],
    ['Pa', 5, 5],
    ['kPa', 100, 1e5],
    ['MPa', 22, 22e6],
    ['bar', 220, 22e6],
    ['atm', 1, 101325],
    ['psi', 1, 6894.757293168361],
    ['mmHg', 760, 101325.01443540001],
    ['torr', 760, 101325],
    ['mol/s', 431, 431],
    ['mol/min', 25860, 431],
    ['kmol/h', 3.6, 1],
    ['kg/s', 2, 2],
    ['kg/h', 3600, 1],
    ['kW', 1.5, 1500],
    ['kJ/s', 0.1, 100],
    ['J/s', 100, 100],
    ['W', 7, 7],
    ['MW', 2, 2e6],
    ['kJ/kmol', 6036.09, 6036.09],
    ['kJ/mol', 50, 50000],
    ['kJ/kg', 2.5, 2500],
    ['cal/mol', 1, 4.184],
    ['J/mol', 125, 125],
    ['percent', 50, 0.5],
    ['dimensionless', 0.8, 0.8],
    ['', 0.8, 0.8],
    ['delta_degC', 10, 10],
    ['m**2', 1000, 1000],
    ['W/(m**2*K)', 100, 100],
    ['kg*m**2/s**3', 3707.55, 3707.55],
    ['kg/m/s**2', 50000, 50000],
    ['J/K/mol', 1, 1],
    ['m**3/s', 1, 1],
  ])('%s: %d -> %d', (unit, value, si) => {
    expect(toSI(value, unit)).toBeCloseTo(si, 6)
    expect(fromSI(toSI(value, unit), unit)).toBeCloseTo(value, 9)
  })

  it('pint, not mathjs, definitions of psi, mmHg, torr and cal', () => {
    expect(toSI(1, 'psi')).toBe(6894.757293168361)
    expect(toSI(1, 'mmHg')).toBe(133.322387415)
    expect(toSI(1, 'cal')).toBe(4.184)
  })

  it('pint long names', () => {
    expect(toSI(1, 'kilopascal')).toBe(1000)
    expect(toSI(2, 'megapascal')).toBe(2e6)
    expect(toSI(1, 'atmosphere')).toBe(101325)
    expect(toSI(1, 'joule / mole')).toBe(1)
    expect(toSI(1, 'watt / meter ** 2 / kelvin')).toBe(1)
    expect(toSI(100, 'degree_Celsius')).toBeCloseTo(373.15, 12)
    expect(toSI(212, 'degree_Fahrenheit')).toBeCloseTo(373.15, 12)
    expect(toSI(10, 'delta_degree_Celsius')).toBe(10)
    expect(toSI(5, 'degK')).toBe(5)
    expect(toSI(1, 'kilomole / hour')).toBeCloseTo(1 / 3.6, 12)
  })

  it('null and undefined units are dimensionless', () => {
    expect(toSI(0.9, null)).toBe(0.9)
    expect(toSI(0.9, undefined)).toBe(0.9)
    expect(siUnitOf(null)).toBe('dimensionless')
  })

  it('pump_unit_conversions.json values give exactly pump_solved.json inputs', () => {
    expect(toSI(108.56155934, 'atm')).toBeCloseTo(11000000.0001255, 4)
    expect(toSI(29.8757, 'cal/mol')).toBeCloseTo(124.9999288, 7)
    expect(toSI(25860, 'mol/min')).toBeCloseTo(431, 10)
    expect(toSI(220, 'bar')).toBe(22e6)
  })

  it('temperature offsets vs differences', () => {
    expect(toSI(200.00000000000006, 'degC')).toBeCloseTo(473.15, 9)
    expect(convert(100, 'degC', 'degF')).toBeCloseTo(212, 9)
    expect(convert(10, 'degC', 'K', { difference: true })).toBe(10)
    expect(convert(18, 'delta_degF', 'K')).toBeCloseTo(10, 12)
    expect(toSIKind(10, 'degC', 'temperature_difference')).toBe(10)
    expect(toSIKind(10, 'degC', 'temperature')).toBeCloseTo(283.15, 12)
    expect(toSIKind(10, 'delta_degC', 'temperature')).toBe(10)
    expect(fromSIKind(373.15, 'degC', 'temperature')).toBeCloseTo(100, 12)
    expect(parseUnit('delta_degC').isDelta).toBe(true)
    expect(parseUnit('degC').hasOffset).toBe(true)
  })
})

describe('SI unit of a dimension in pint spelling (as the solved files print)', () => {
  it.each([
    ['kW', 'kg*m**2/s**3'],
    ['J/s', 'kg*m**2/s**3'],
    ['kPa', 'kg/m/s**2'],
    ['W/(m**2*K)', 'kg/K/s**3'],
    ['m**2', 'm**2'],
    ['kg**2', 'kg**2'],
    ['$/kg**2', 'dollar/kg**2'],
    ['J/K/mol', 'kg*m**2/K/mol/s**2'],
    ['mol/min', 'mol/s'],
    ['percent', 'dimensionless'],
    ['1/s', '1/s'],
  ])('%s -> %s', (u, si) => {
    expect(siUnitOf(u)).toBe(si)
  })

  it('formats fractional powers', () => {
    expect(formatDim([0, 1.5, 0, 0, 0, 0, 0, 0])).toBe('m**1.5')
  })
})

describe('errors', () => {
  it('UNITS_UNKNOWN for a unit no one knows, with details.unit and path', () => {
    const e = caught(() => toSI(1, 'furlongs_per_fortnight', { path: 'a.b' }))
    expect(e.code).toBe('UNITS_UNKNOWN')
    expect(e.statusCode).toBe(400)
    expect(e.details).toMatchObject({ unit: 'furlongs_per_fortnight', path: 'a.b' })
    expect(isKnownUnit('kPa')).toBe(true)
    expect(isKnownUnit('kPa;drop table')).toBe(false)
    expect(caught(() => parseUnit('kg**')).code).toBe('UNITS_UNKNOWN')
    expect(caught(() => parseUnit('5 degC')).code).toBe('UNITS_UNKNOWN')
    expect(toSI(3, '1000 Pa')).toBe(3000)
  })

  it('UNITS_INCOMPATIBLE for kPa on a temperature, with expected', () => {
    const e = caught(() => toSIKind(5, 'kPa', 'temperature', 'unit_models[0].x'))
    expect(e.code).toBe('UNITS_INCOMPATIBLE')
    expect(e.details).toMatchObject({
      unit: 'kPa',
      expected: 'temperature (K)',
      path: 'unit_models[0].x',
    })
    expect(caught(() => convert(1, 'kW', 'kJ')).code).toBe('UNITS_INCOMPATIBLE')
    expect(caught(() => toSIKind(1, 'kJ/kg', 'molar_enthalpy')).code).toBe('UNITS_INCOMPATIBLE')
  })

  it('UNITS_UNKNOWN_KIND for an unknown quantity kind', () => {
    expect(caught(() => unitChoices('nope')).code).toBe('UNITS_UNKNOWN_KIND')
  })
})

describe('unit choices per quantity kind', () => {
  it('every choice parses and has the dimension of its kind', () => {
    for (const k of Object.values(QUANTITY_KINDS)) {
      expect(k.choices.length).toBeGreaterThan(0)
      for (const c of k.choices) expect(siUnitOf(c), `${k.kind}: ${c}`).toBe(siUnitOf(k.si))
    }
    expect(unitChoices('temperature')).toEqual(['degC', 'K', 'degF'])
    expect(unitChoices('pressure')).toContain('psi')
  })
})

describe('random unit strings', () => {
  it('parse or fail with UNITS_UNKNOWN, never another error or a non-finite factor', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'k',
            'g',
            'm',
            's',
            'Pa',
            'J',
            'mol',
            'degC',
            '*',
            '/',
            '**',
            '^',
            '(',
            ')',
            '2',
            '-1',
            ' ',
            '$',
            'x',
            '.',
            'e9',
          ),
          {
            maxLength: 8,
          },
        ),
        (parts) => {
          const text = parts.join('')
          try {
            const u = parseUnit(text)
            expect(Number.isFinite(u.factor)).toBe(true)
            expect(u.dim.every((x) => Number.isFinite(x))).toBe(true)
          } catch (e) {
            expect(e).toBeInstanceOf(AppError)
            expect((e as AppError).code).toBe('UNITS_UNKNOWN')
          }
        },
      ),
      { numRuns: 500, seed: 7 },
    )
  })
})

describe('Object.prototype names are not units', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])(
    '%s -> UNITS_UNKNOWN',
    (name) => {
      expect(() => parseUnit(name)).toThrow(expect.objectContaining({ code: 'UNITS_UNKNOWN' }))
    },
  )
})
