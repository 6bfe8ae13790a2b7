import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { AppError } from '@rere/contract'
import { parseUnit, type Dim } from '@rere/units'
import { compileExpressions, compileFormula } from './index.ts'

const PA = parseUnit('Pa').dim
const M2 = parseUnit('m**2').dim
const ONE = parseUnit('').dim
const dims: Record<number, Dim> = { 124: PA, 125: ONE, 2: M2, 126: PA }
const ctx = { dimOfProperty: (id: number) => dims[id] }
const values: Record<number, number> = { 124: 50000, 125: 0.9, 2: 1000, 126: 101325 }
const get = (id: number) => values[id] as number

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('expected an AppError')
}

describe('formulas of expressions.json and constraints.json (values of the solved files)', () => {
  const list = [
    { id: 129, expression: 'id_130 * 10', path: 'e0' },
    { id: 130, expression: 'id_125 * 2', path: 'e1' },
    { id: 131, expression: 'id_130 * kg ^ 2', path: 'e2' },
    { id: 132, expression: '$ / id_131', path: 'e3' },
    { id: 133, expression: 'sqrt(2)', path: 'e4' },
    { id: 134, expression: 'id_124 + 100 * Pa + 1 * kPa', path: 'e5' },
    { id: 135, expression: '101.325 * kPa', path: 'e6' },
  ]
  const c = compileExpressions(list, ctx.dimOfProperty)
  it.each([
    [129, 18, 'dimensionless'],
    [130, 1.8, 'dimensionless'],
    [131, 1.8, 'kg**2'],
    [132, 0.5555555555555556, 'dollar/kg**2'],
    [133, Math.SQRT2, 'dimensionless'],
    [134, 51100, 'kg/m/s**2'],
    [135, 101325, 'kg/m/s**2'],
  ])('id_%d = %d %s', (id, v, unit) => {
    const f = c.get(id)!
    expect(f.evaluate(get)).toBeCloseTo(v, 9)
    expect(f.unitSI).toBe(unit)
  })

  it('inlines expression references: refs are property ids only', () => {
    expect(c.get(132)?.refs).toEqual([125])
    expect(c.get(134)?.refs).toEqual([124])
  })

  it('constraint sqrt(id_130 ^ 2) with id_130 = 101.325 kPa is 101325 Pa', () => {
    const e = compileExpressions(
      [{ id: 130, expression: '101.325 * kPa', path: 'x' }],
      ctx.dimOfProperty,
    )
    const f = compileFormula('sqrt(id_130 ^ 2)', 'p', { ...ctx, expressions: e })
    expect(f.evaluate(get)).toBeCloseTo(101325, 9)
    expect(f.unitSI).toBe('kg/m/s**2')
    expect(compileFormula('id_130 * 2', 'p', { ...ctx, expressions: e }).evaluate(get)).toBeCloseTo(
      202650,
      9,
    )
  })

  it('time and t are 0; delta_degC is a kelvin', () => {
    expect(compileFormula('id_124 + time * Pa + t * Pa', 'p', ctx).evaluate(get)).toBe(50000)
    const f = compileFormula('5 * delta_degC', 'p', ctx)
    expect([f.evaluate(get), f.unitSI]).toEqual([5, 'K'])
  })

  it('heat_exchanger.json: id_2 * 10 = 10000 m**2', () => {
    const f = compileFormula('id_2 * 10', 'p', ctx)
    expect(f.evaluate(get)).toBe(10000)
    expect(f.unitSI).toBe('m**2')
  })
})

describe('dual numbers: exact gradients', () => {
  it.each([
    ['id_124 * id_125 + 3 * Pa', [0.9, 50000]],
    ['id_124 / id_125', [1 / 0.9, -50000 / 0.81]],
    ['sqrt(id_124 * id_124) * id_125 ^ 2', [0.81, 2 * 0.9 * 50000]],
    ['-id_124 - 2 * id_124', [-3, 0]],
    ['exp(id_125) + log(id_125) + id_125 ** 3', [0, Math.exp(0.9) + 1 / 0.9 + 3 * 0.81]],
    ['max(id_124, 2 * id_124) + abs(-id_124) + min(id_125, 1) * Pa', [3, 1]],
  ])('%s', (text, expected) => {
    const f = compileFormula(text, 'p', ctx)
    const order = [124, 125]
    const vals = f.refs.map((id) => values[id] as number)
    const d = f.evaluateDual(vals)
    expect(d.v).toBeCloseTo(f.evaluate(get), 9)
    order.forEach((id, k) => {
      const i = f.refs.indexOf(id)
      const g = i < 0 ? 0 : (d.g[i] as number)
      expect(g).toBeCloseTo(expected[k] as number, 6)
    })
    // agrees with a central difference
    f.refs.forEach((id, i) => {
      const h = 1e-6 * Math.max(1, Math.abs(values[id] as number))
      const up = f.evaluate((x) => (x === id ? (values[x] as number) + h : get(x)))
      const dn = f.evaluate((x) => (x === id ? (values[x] as number) - h : get(x)))
      expect(d.g[i]).toBeCloseTo((up - dn) / (2 * h), 3)
    })
  })
})

describe('errors: FLOWSHEET_BAD_EXPRESSION with details.path', () => {
  it.each([
    ['', 'empty'],
    ['id_124 +', 'unexpected end'],
    ['(id_124', 'missing'],
    ['id_124 # 2', 'unexpected character'],
    ['id_999 * 2', 'refers to no property'],
    ['id_124 + 1', 'cannot add'],
    ['id_124 + id_2', 'cannot add'],
    ['id_124 ^ id_125', 'must be a constant'],
    ['2 ^ Pa', 'exponent must be dimensionless'],
    ['exp(id_124)', 'dimensionless argument'],
    ['sqrt(1, 2)', 'takes 1'],
    ['foo * 2', 'unknown name'],
    ['1 2', 'unexpected "2"'],
    ['id_125 * degC', 'has an offset'],
  ])('%j -> %s', (text, msg) => {
    const e = caught(() => compileFormula(text, 'expressions[3].expression', ctx))
    expect(e.code).toBe('FLOWSHEET_BAD_EXPRESSION')
    expect(e.statusCode).toBe(400)
    expect(e.details?.path).toBe('expressions[3].expression')
    expect(e.message).toContain(msg)
  })

  it('a deeply nested formula is refused, not a stack overflow', () => {
    const e = caught(() => compileFormula('('.repeat(500) + '1' + ')'.repeat(500), 'p', ctx))
    expect(e.code).toBe('FLOWSHEET_BAD_EXPRESSION')
  })
})

describe('random formulas', () => {
  it('compile or fail with FLOWSHEET_BAD_EXPRESSION; evaluation never throws', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'id_124',
            'id_125',
            'id_2',
            'id_9',
            '2',
            '0.5',
            'kPa',
            'kg',
            '$',
            'sqrt(',
            'max(',
            ',',
            '+',
            '-',
            '*',
            '/',
            '^',
            '**',
            '(',
            ')',
            ' ',
          ),
          { maxLength: 12 },
        ),
        (parts) => {
          const text = parts.join(' ')
          try {
            const f = compileFormula(text, 'p', ctx)
            const v = f.evaluate(get)
            expect(typeof v).toBe('number')
            f.evaluateDual(f.refs.map((id) => values[id] as number))
          } catch (e) {
            expect(e).toBeInstanceOf(AppError)
            expect((e as AppError).code).toBe('FLOWSHEET_BAD_EXPRESSION')
          }
        },
      ),
      { numRuns: 500, seed: 11 },
    )
  })
})
