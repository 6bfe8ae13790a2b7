import { describe, expect, it } from 'vitest'
import { AppError } from '@rere/contract'
import { getPropertyPackage } from '../index.ts'
import { HelmholtzEos } from './eos.ts'
import { loadFluid, readDataJson } from './fluid.ts'
import { HelmholtzProps, TRhoProps } from './props.ts'

interface Tables {
  IAPWS95: {
    table6_helmholtz_derivatives: {
      T_K: number
      rho_kg_m3: number
      ideal_gas_part_phi0: Record<string, number>
      residual_part_phir: Record<string, number>
    }
    table7_single_phase: { rows: Record<string, number>[] }
    table8_saturation: { rows: Record<string, number>[] }
  }
}
const V = readDataJson('iapws-verification.json') as Tables
const fluid = loadFluid('water-iapws95.json', 'water-ancillary.json')
const eos = new HelmholtzEos(fluid)
const props = new HelmholtzProps(eos)
const pkg = getPropertyPackage('helmholtz', 'water')
const M = 0.018015268

/** agreement to the 9 significant digits printed in the release */
function close(actual: number, expected: number, rel = 1e-8) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-12)
}

describe('IAPWS-95 Table 6 Helmholtz derivatives at 500 K, 838.025 kg/m3', () => {
  const t = V.IAPWS95.table6_helmholtz_derivatives
  const delta = t.rho_kg_m3 / fluid.rhoc
  const tau = fluid.Tc / t.T_K
  const names = ['phi', 'phi_delta', 'phi_deltadelta', 'phi_tau', 'phi_tautau', 'phi_deltatau']
  it('ideal-gas part phi0', () => {
    const o = new Float64Array(6)
    eos.ideal(delta, tau, o)
    names.forEach((n, i) => close(o[i], t.ideal_gas_part_phi0[n]))
  })
  it('residual part phir', () => {
    const o = new Float64Array(6)
    eos.residual(delta, tau, o)
    names.forEach((n, i) => close(o[i], t.residual_part_phir[n]))
  })
})

describe('IAPWS-95 Table 7 single-phase', () => {
  const st = new TRhoProps()
  for (const r of V.IAPWS95.table7_single_phase.rows) {
    it(`T = ${r.T_K} K, rho = ${r.rho_kg_m3} kg/m3`, () => {
      props.eval(r.T_K, r.rho_kg_m3, st)
      close(st.p / 1e6, r.p_MPa)
      close(st.cv / 1e3, r.cv_kJ_kgK)
      close(st.w, r.w_m_s)
      close(st.s / 1e3, r.s_kJ_kgK)
    })
  }
  it('flashTP recovers the tabulated density (not within 1 K of critical)', () => {
    for (const r of V.IAPWS95.table7_single_phase.rows) {
      if (Math.abs(r.T_K - fluid.Tc) < 1) continue
      const s = pkg.flashTP(r.T_K, r.p_MPa * 1e6)
      close(s.rho, r.rho_kg_m3, 2e-8)
    }
  })
})

describe('IAPWS-95 Table 8 saturation', () => {
  for (const r of V.IAPWS95.table8_saturation.rows) {
    it(`T = ${r.T_K} K`, () => {
      const s = pkg.saturationT(r.T_K)
      close(s.P / 1e6, r.p_MPa)
      close(s.liquid.rho, r.rhol_kg_m3)
      close(s.vapor.rho, r.rhov_kg_m3)
      close(s.liquid.hMass / 1e3, r.hl_kJ_kg)
      close(s.vapor.hMass / 1e3, r.hv_kJ_kg)
      close(s.liquid.sMass / 1e3, r.sl_kJ_kgK)
      close(s.vapor.sMass / 1e3, r.sv_kJ_kgK)
      const p = pkg.saturationP(s.P)
      close(p.T, r.T_K, 1e-11)
      close(p.liquid.rho, r.rhol_kg_m3)
      close(p.vapor.rho, r.rhov_kg_m3)
      // Maxwell: equal Gibbs energies
      expect(Math.abs(s.liquid.g - s.vapor.g)).toBeLessThan(1e-11 * 8.314 * r.T_K)
    })
  }
})

describe('IAPWS-95 reference state and Rere pump check value', () => {
  it('u = s = 0 for the saturated liquid at the triple point', () => {
    const s = pkg.saturationT(273.16)
    expect(Math.abs(s.liquid.u)).toBeLessThan(1e-5)
    expect(Math.abs(s.liquid.s)).toBeLessThan(1e-8)
    close(s.P, 611.655, 2e-6)
  })
  it('liquid water at 80 degC, 100 kPa: h = 6036.09 J/mol, rho = 971.79 kg/m3', () => {
    const s = pkg.flashTP(353.15, 100e3)
    expect(s.h).toBeCloseTo(6036.09, 2)
    expect(s.rho).toBeCloseTo(971.79, 2)
    expect(s.phase).toBe('liquid')
    expect(s.x).toBe(0)
    expect(pkg.molarMass).toBe(M)
    const b = pkg.flashPH(100e3, s.h)
    close(b.T, 353.15, 1e-11)
  })
})

describe('IAPWS-95 flashes: phases and errors', () => {
  it('(T,P) on either side of saturation gives the stable phase', () => {
    const sat = pkg.saturationT(450)
    const above = pkg.flashTP(450, sat.P * (1 + 1e-9))
    const below = pkg.flashTP(450, sat.P * (1 - 1e-9))
    expect(above.phase).toBe('liquid')
    expect(below.phase).toBe('vapor')
    close(above.rho, sat.liquid.rho, 1e-6)
    close(below.rho, sat.vapor.rho, 1e-6)
    // far from saturation: superheated vapour at 1 bar, 200 degC is vapour (never metastable liquid)
    expect(pkg.flashTP(473.15, 1e5).phase).toBe('vapor')
    expect(pkg.flashTP(300, 1e5).phase).toBe('liquid')
    expect(pkg.flashTP(700, 30e6).phase).toBe('supercritical')
    expect(pkg.flashTP(700, 30e6).x).toBeNull()
  })
  it('(T,P) just above / below psat along the whole curve: liquid / vapour, never metastable', () => {
    for (const name of ['helmholtz', 'if97'] as const) {
      const p = getPropertyPackage(name)
      for (let T = 273.16; T < 646; T += 3.7) {
        const sat = p.saturationT(T)
        const l = p.flashTP(T, sat.P * (1 + 1e-7))
        const v = p.flashTP(T, sat.P * (1 - 1e-7))
        expect(l.phase).toBe('liquid')
        expect(v.phase).toBe('vapor')
        expect(Math.abs(l.rho / sat.liquid.rho - 1)).toBeLessThan(1e-4)
        expect(Math.abs(v.rho / sat.vapor.rho - 1)).toBeLessThan(1e-4)
        // (P,h) just outside the dome stays single-phase on the right side
        const hl = p.flashPH(sat.P, sat.liquid.h - 1e-6 * Math.abs(sat.vapor.h))
        const hv = p.flashPH(sat.P, sat.vapor.h + 1e-6 * Math.abs(sat.vapor.h))
        expect(hl.phase).toBe('liquid')
        expect(hv.phase).toBe('vapor')
      }
    }
  })
  it('two-phase (P,h) is a mixture of the saturated phases', () => {
    const sat = pkg.saturationP(1e6)
    const h = 0.3 * sat.vapor.h + 0.7 * sat.liquid.h
    const s = pkg.flashPH(1e6, h)
    expect(s.phase).toBe('two-phase')
    close(s.x as number, 0.3, 1e-12)
    close(s.T, sat.T, 1e-14)
    expect(s.cp).toBeNull()
    expect(s.w).toBeNull()
    const tx = pkg.flashTx(sat.T, 0.3)
    close(tx.h, h, 1e-10)
    const px = pkg.flashPx(1e6, 0.3)
    close(px.s, s.s, 1e-12)
    const tr = pkg.flashTRho(sat.T, s.rho)
    close(tr.x as number, 0.3, 1e-9)
    const pu = pkg.flashPU(1e6, s.u)
    close(pu.x as number, 0.3, 1e-10)
  })
  it('bad input gives typed errors, never NaN', () => {
    const code = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        expect(e).toBeInstanceOf(AppError)
        return [(e as AppError).code, (e as AppError).details?.field]
      }
      return ['none']
    }
    expect(code(() => pkg.flashTP(NaN, 1e5))).toEqual(['THERMO_BAD_INPUT', 'T'])
    expect(code(() => pkg.flashTP(300, -1))).toEqual(['THERMO_BAD_INPUT', 'P'])
    expect(code(() => pkg.flashTP(2000, 1e5))).toEqual(['THERMO_OUT_OF_RANGE', 'T'])
    expect(code(() => pkg.flashTP(300, 2e9))).toEqual(['THERMO_OUT_OF_RANGE', 'P'])
    expect(code(() => pkg.flashTx(300, 1.5))).toEqual(['THERMO_BAD_INPUT', 'x'])
    expect(code(() => pkg.flashTx(700, 0.5))).toEqual(['THERMO_OUT_OF_RANGE', 'T'])
    expect(code(() => pkg.flashPx(30e6, 0.5))).toEqual(['THERMO_OUT_OF_RANGE', 'P'])
    expect(code(() => pkg.flashPH(1e5, 1e9))).toEqual(['THERMO_OUT_OF_RANGE', 'h'])
    expect(code(() => pkg.flashPH(1e5, -1e6))).toEqual(['THERMO_OUT_OF_RANGE', 'h'])
    expect(code(() => pkg.flashPH(1e5, Infinity))).toEqual(['THERMO_BAD_INPUT', 'h'])
    expect(code(() => getPropertyPackage('nope'))).toEqual(['THERMO_BAD_INPUT', 'package'])
    expect(code(() => getPropertyPackage('helmholtz', 'co2'))).toEqual([
      'THERMO_BAD_INPUT',
      'compound',
    ])
    const e = (() => {
      try {
        pkg.flashTP(2000, 1e5)
      } catch (err) {
        return err as AppError
      }
    })()
    // min: the lowest melting temperature (ice Ih-III-liquid triple point, IAPWS R14-08)
    expect(e?.details).toMatchObject({ field: 'T', value: 2000, min: 251.165, max: 1273.15 })
  })
  it('at the critical point every result is finite', () => {
    const s = pkg.flashTRho(fluid.Tc, fluid.rhoc)
    for (const v of Object.values(s))
      if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true)
    const env = pkg.envelope(50)
    expect(env.points).toHaveLength(50)
    expect(env.points[49].T).toBe(fluid.Tc)
    for (let i = 1; i < 50; i++) {
      expect(env.points[i].P).toBeGreaterThan(env.points[i - 1].P)
      expect(env.points[i].rhoLiq).toBeGreaterThanOrEqual(env.points[i].rhoVap)
    }
  })
})
