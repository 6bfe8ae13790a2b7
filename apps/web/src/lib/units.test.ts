import { describe, expect, it } from 'vitest'
import {
  choicesFor,
  formatNumber,
  fromSI,
  quantityOf,
  toSI,
  unitLabel,
  validateInput,
} from './units.ts'

describe('quantityOf', () => {
  it('uses the declared kind, else the SI unit, else the key', () => {
    expect(quantityOf({ quantity: 'molar_flow', unitSI: 'mol/s' })).toBe('molar_flow')
    expect(quantityOf({ key: 'temperature', unitSI: 'K' })).toBe('temperature')
    expect(quantityOf({ key: 'pressure', unitSI: 'kg/m/s**2' })).toBe('pressure')
    expect(quantityOf({ key: 'deltaP', unitSI: 'Pa' })).toBe('pressure_difference')
    expect(quantityOf({ key: 'work_mechanical', unitSI: 'kg*m**2/s**3' })).toBe('power')
    expect(quantityOf({ key: 'efficiency_pump', unitSI: 'dimensionless' })).toBe('dimensionless')
    expect(quantityOf({ key: 'flow_mol' })).toBe('molar_flow')
  })
})

describe('conversions for display', () => {
  it('converts SI to the chosen unit and back', () => {
    expect(fromSI(353.15, 'degC', 'temperature')).toBeCloseTo(80, 10)
    expect(fromSI(353.15, 'degF', 'temperature')).toBeCloseTo(176, 10)
    expect(toSI(100, 'kPa', 'pressure')).toBeCloseTo(1e5, 8)
    expect(fromSI(3707.5, 'kW', 'power')).toBeCloseTo(3.7075, 10)
    expect(fromSI(1000, 'kmol/h', 'molar_flow')).toBeCloseTo(3600, 8)
    expect(fromSI(10, 'delta_degF', 'temperature_difference')).toBeCloseTo(18, 10)
    expect(Number.isNaN(fromSI(1, 'furlongs/fortnight', 'pressure'))).toBe(true)
  })
  it('labels and choices', () => {
    expect(unitLabel('degC')).toBe('°C')
    expect(unitLabel('J/K/mol')).toBe('J/(mol·K)')
    expect(choicesFor('temperature', 'degC')).toEqual(['degC', 'K', 'degF'])
    expect(choicesFor('pressure', 'mmHg')[0]).toBe('mmHg')
  })
  it('formats numbers', () => {
    expect(formatNumber(80.0312)).toBe('80.03')
    expect(formatNumber(3.7075)).toBe('3.71')
    expect(formatNumber(0.00123)).toBe('0.001230')
    expect(formatNumber(null)).toBe('—')
    expect(formatNumber(Number.NaN)).toBe('—')
  })
})

describe('validateInput', () => {
  it('rejects negative absolute temperatures in any unit', () => {
    expect(validateInput('-5', 'temperature', 'K').error).toMatch(/absolute zero/)
    expect(validateInput('-280', 'temperature', 'degC').error).toMatch(/absolute zero/)
    expect(validateInput('-460', 'temperature', 'degF').error).toMatch(/absolute zero/)
    expect(validateInput('-20', 'temperature', 'degC')).toEqual({ value: -20, error: null })
  })
  it('rejects non-positive absolute pressures but allows negative pressure changes', () => {
    expect(validateInput('0', 'pressure', 'kPa').error).toMatch(/above zero/)
    expect(validateInput('-1', 'pressure', 'bar').error).toMatch(/above zero/)
    expect(validateInput('-50', 'pressure_difference', 'kPa', 'deltaP').error).toBeNull()
  })
  it('rejects text, negative flows, bad efficiencies', () => {
    expect(validateInput('abc', 'temperature', 'K').error).toBe('Enter a number')
    expect(validateInput('1e', 'temperature', 'K').error).toBe('Enter a number')
    expect(validateInput('-1', 'molar_flow', 'mol/s').error).toMatch(/negative/)
    expect(validateInput('1.5', 'dimensionless', 'dimensionless', 'efficiency_pump').error).toMatch(
      /Efficiency/,
    )
    expect(validateInput('50', 'dimensionless', 'percent', 'efficiency_pump').error).toBeNull()
    expect(validateInput('', 'temperature', 'K')).toEqual({ value: null, error: null })
    expect(validateInput('1,5', 'pressure', 'bar')).toEqual({ value: 1.5, error: null })
  })
})
