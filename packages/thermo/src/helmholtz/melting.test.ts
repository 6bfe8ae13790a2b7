import { AppError } from '@rere/contract'
import { describe, expect, it } from 'vitest'
import { getPropertyPackage } from '../registry.ts'
import { MeltingCurve } from './melting.ts'

const curve = new MeltingCurve()
const water = getPropertyPackage('helmholtz')

function rangeError(f: () => unknown): AppError {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(AppError)
    return e as AppError
  }
  throw new Error('no error thrown')
}

describe('IAPWS R14-08(2011) melting curves', () => {
  // R14-08(2011), Table 3 ("numerical values for checking computer code"): p in MPa, printed
  // to 6 significant digits
  it.each([
    ['Ih', 260, 138.268],
    ['III', 254, 268.685],
    ['V', 265, 479.64],
    ['VI', 320, 1356.76],
    ['VII', 550, 6308.71],
  ])('R14-08 Table 3: ice %s at %d K -> %d MPa', (ice, T, pMPa) => {
    const p = curve.pressure(T, ice) / 1e6
    expect(Math.abs(p - pMPa) / pMPa).toBeLessThan(5e-6)
  })

  it('R14-08 triple points: Ih at 611.657 Pa / 273.16 K, Ih-III-liquid at 251.165 K, 208.566 MPa', () => {
    expect(curve.pressure(273.16, 'Ih')).toBeCloseTo(611.657, 9)
    expect(curve.pressure(251.165, 'Ih') / 1e6).toBeCloseTo(208.566, 2)
    expect(curve.pressure(251.165, 'III') / 1e6).toBeCloseTo(208.566, 6)
    expect(curve.pressure(250, 'Ih')).toBeNaN()
  })

  it('melting temperature is the inverse of the melting pressure on every line', () => {
    for (const [ice, T] of [
      ['Ih', 260],
      ['Ih', 272.4],
      ['III', 254],
      ['V', 265],
      ['VI', 300],
    ] as const) {
      const r = curve.temperature(curve.pressure(T, ice))
      expect(r?.ice).toBe(ice)
      expect(r?.T).toBeCloseTo(T, 9)
    }
    expect(curve.temperature(100)).toBeNull()
  })
})

describe('helmholtz lower bound = melting line (IAPWS R6-95(2018) validity, R14-08 curves)', () => {
  it('bounds.Tmin is the lowest melting temperature (Ih-III-liquid triple point)', () => {
    expect(water.bounds.Tmin).toBe(251.165)
  })

  // round trips (T, P) -> (P, h), (P, s), (P, u) -> T between the melting line and 273.15 K
  it.each([10e6, 50e6, 100e6, 200e6])('round trips below 273.15 K at P = %d Pa', (P) => {
    const Tm = curve.temperature(P)?.T as number
    expect(Tm).toBeLessThan(273.15)
    for (const T of [Tm + 1e-3, 0.5 * (Tm + 273.15), 273.1]) {
      const st = water.flashTP(T, P)
      expect(st.phase).toBe('liquid')
      expect(st.rho).toBeGreaterThan(990)
      expect(Math.abs(water.flashPH(P, st.h).T - T)).toBeLessThan(1e-9)
      expect(Math.abs(water.flashPS(P, st.s).T - T)).toBeLessThan(1e-9)
      expect(Math.abs(water.flashPU(P, st.u).T - T)).toBeLessThan(1e-9)
      const d = water.propsPH(P, st.h)
      expect(Number.isFinite(d.d.T.dh) && d.d.T.dh > 0).toBe(true)
      expect(Math.abs(water.flashTRho(T, st.rho).P - P) / P).toBeLessThan(1e-9)
    }
  })

  it('below the ice Ih melting line: metastable supercooled liquid, marked, down to 235.15 K', () => {
    const P = 11e6
    const Tm = curve.temperature(P)?.T as number
    expect(Tm).toBeCloseTo(272.324, 3)
    expect(curve.supercooled).toEqual({ Tmin: 235.15, ice: ['Ih'] })
    // (T, P) at 11 MPa, 272.0 K: liquid, metastable; at 10 MPa, 280 K: stable, no field
    const sc = water.flashTP(272.0, P)
    expect(sc.phase).toBe('liquid')
    expect(sc.metastable).toBe('supercooled-liquid')
    expect(sc.rho).toBeGreaterThan(1000)
    const stable = water.flashTP(280, 10e6)
    expect(stable.phase).toBe('liquid')
    expect('metastable' in stable).toBe(false)
    expect('metastable' in water.flashTP(Tm + 1e-3, P)).toBe(false)
    // (P, h), (P, s), (P, u) and propsPH return the same metastable state
    for (const st of [
      water.flashPH(P, sc.h),
      water.flashPS(P, sc.s),
      water.flashPU(P, sc.u),
      water.propsPH(P, sc.h).state,
    ]) {
      expect(Math.abs(st.T - 272.0)).toBeLessThan(1e-9)
      expect(st.metastable).toBe('supercooled-liquid')
      expect(st.phase).toBe('liquid')
    }
    // the Ahuora pump inlet: 11 MPa, 125 J/mol is at 272.159 K (IAPWS-95)
    const pump = water.flashPH(P, 125)
    expect(pump.T).toBeCloseTo(272.1586, 4)
    expect(pump.metastable).toBe('supercooled-liquid')
    // at atmospheric pressure too (the melting bound there is 273.15 K)
    expect(water.flashTP(240, 101325).metastable).toBe('supercooled-liquid')
    // below the limit: THERMO_OUT_OF_RANGE naming it
    const e = rangeError(() => water.flashTP(235.1, P))
    expect(e.code).toBe('THERMO_OUT_OF_RANGE')
    expect(e.details).toMatchObject({ field: 'T', min: 235.15, max: 1273.15, unit: 'K' })
    expect(e.message).toMatch(/supercooled-liquid limit 235\.15 K at P = 11000000 Pa/)
    expect(rangeError(() => water.flashTP(230, 101325)).code).toBe('THERMO_OUT_OF_RANGE')
    // (P, h): the minimum is h at the limit
    const hm = water.flashTP(235.15, P).h
    const eh = rangeError(() => water.flashPH(P, hm - 1))
    expect(eh.code).toBe('THERMO_OUT_OF_RANGE')
    expect(eh.details).toMatchObject({ field: 'h', unit: 'J/mol' })
    expect((eh.details as { min: number }).min).toBeCloseTo(hm, 6)
    expect(eh.message).toMatch(/supercooled-liquid limit 235\.15 K/)
    // ice III and ice VI sides keep the melting line as the bound (no supercooled liquid there)
    expect(rangeError(() => water.flashTP(254, 300e6)).message).toMatch(/ice III/)
    expect(rangeError(() => water.flashTP(290, 1e9)).message).toMatch(/ice VI/)
    expect(water.flashTP(301, 1e9).phase).toBe('liquid')
    // vapour below 273.15 K (below the triple-point pressure) stays out of range
    expect(rangeError(() => water.flashTP(260, 100)).code).toBe('THERMO_OUT_OF_RANGE')
    expect(water.flashTP(300, 100).phase).toBe('vapor')
    // (T, rho) is not extended: below the melting line it stays out of range
    const rho = water.flashTP(Tm + 0.1, P).rho
    expect(rangeError(() => water.flashTRho(Tm - 1, rho)).code).toBe('THERMO_OUT_OF_RANGE')
  })

  it('IF97 keeps its own range from 273.15 K', () => {
    const if97 = getPropertyPackage('if97')
    expect(if97.bounds.Tmin).toBe(273.15)
    expect(rangeError(() => if97.flashTP(272.5, 10e6)).code).toBe('THERMO_OUT_OF_RANGE')
  })
})
