import { describe, expect, it } from 'vitest'
import { getPropertyPackage } from '../index.ts'
import { readDataJson } from '../helmholtz/fluid.ts'
import { TRhoProps } from '../helmholtz/props.ts'
import * as I from './if97.ts'

type Row = Record<string, number>
const V = (readDataJson('iapws-verification.json') as { IF97: Record<string, { rows: Row[] }> })
  .IF97
const o = new TRhoProps()

function close(actual: number, expected: number, rel = 1e-8) {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-12)
}
function checkRow(r: Row, st: TRhoProps) {
  if (r.v_m3_kg !== undefined) close(1 / st.rho, r.v_m3_kg)
  if (r.p_MPa !== undefined) close(st.p / 1e6, r.p_MPa)
  close(st.h / 1e3, r.h_kJ_kg)
  close(st.u / 1e3, r.u_kJ_kg)
  close(st.s / 1e3, r.s_kJ_kgK)
  close(st.cp / 1e3, r.cp_kJ_kgK)
  close(st.w, r.w_m_s)
}

describe('IAPWS-IF97 Table 5 region 1', () => {
  for (const r of V.region1_table5.rows)
    it(`T = ${r.T_K} K, p = ${r.p_MPa} MPa`, () => checkRow(r, I.region1(r.T_K, r.p_MPa * 1e6, o)))
})
describe('IAPWS-IF97 Table 15 region 2', () => {
  for (const r of V.region2_table15.rows)
    it(`T = ${r.T_K} K, p = ${r.p_MPa} MPa`, () => checkRow(r, I.region2(r.T_K, r.p_MPa * 1e6, o)))
})
describe('IAPWS-IF97 Table 18 region 2 metastable vapour', () => {
  for (const r of V.region2_metastable_table18.rows)
    it(`T = ${r.T_K} K, p = ${r.p_MPa} MPa`, () =>
      checkRow(r, I.region2meta(r.T_K, r.p_MPa * 1e6, o)))
})
describe('IAPWS-IF97 Table 33 region 3', () => {
  for (const r of V.region3_table33.rows)
    it(`T = ${r.T_K} K, rho = ${r.rho_kg_m3} kg/m3`, () =>
      checkRow(r, I.region3(r.T_K, r.rho_kg_m3, o)))
})
describe('IAPWS-IF97 Table 42 region 5', () => {
  for (const r of V.region5_table42.rows)
    it(`T = ${r.T_K} K, p = ${r.p_MPa} MPa`, () => checkRow(r, I.region5(r.T_K, r.p_MPa * 1e6, o)))
})
describe('IAPWS-IF97 Section 4 B23 boundary and Section 6.3.1 B2bc', () => {
  it('B23 p(T) and T(p)', () => {
    close(I.pB23(V.B23_p_of_T.rows[0].T_K), V.B23_p_of_T.rows[0].p_MPa)
    close(I.TB23(V.B23_T_of_p.rows[0].p_MPa), V.B23_T_of_p.rows[0].T_K)
  })
  it('B2bc p(h) and h(p)', () => {
    close(I.pB2bc(V.B2bc_p_of_h.rows[0].h_kJ_kg), V.B2bc_p_of_h.rows[0].p_MPa)
    close(I.hB2bc(V.B2bc_h_of_p.rows[0].p_MPa), V.B2bc_h_of_p.rows[0].h_kJ_kg)
  })
})
describe('IAPWS-IF97 Tables 35 and 36 region 4 saturation', () => {
  it('Table 35 psat(T)', () => {
    for (const r of V.region4_psat_table35.rows) close(I.psat4(r.T_K), r.p_MPa)
  })
  it('Table 36 Tsat(p)', () => {
    for (const r of V.region4_tsat_table36.rows) close(I.Tsat4(r.p_MPa), r.T_K)
  })
})
describe('IAPWS-IF97 Tables 7, 9, 24, 29 backward equations', () => {
  it('Table 7 region 1 T(p,h)', () => {
    for (const r of V.region1_backward_T_ph_table7.rows)
      close(I.T1ph(r.p_MPa * 1e6, r.h_kJ_kg * 1e3), r.T_K)
  })
  it('Table 9 region 1 T(p,s)', () => {
    for (const r of V.region1_backward_T_ps_table9.rows)
      close(I.T1ps(r.p_MPa * 1e6, r.s_kJ_kgK * 1e3), r.T_K)
  })
  it('Table 24 region 2 T(p,h)', () => {
    for (const r of V.region2_backward_T_ph_table24.rows)
      close(I.T2ph(r.p_MPa * 1e6, r.h_kJ_kg * 1e3), r.T_K)
  })
  it('Table 29 region 2 T(p,s)', () => {
    for (const r of V.region2_backward_T_ps_table29.rows)
      close(I.T2ps(r.p_MPa * 1e6, r.s_kJ_kgK * 1e3), r.T_K)
  })
})

describe('IAPWS-IF97 package flashes', () => {
  const F = getPropertyPackage('if97')
  it('regions from (T, P) and the flash pairs meet the forward equations', () => {
    const cases: [number, number, string][] = [
      [300, 3e6, 'liquid'],
      [700, 30e6, 'supercritical'],
      [650, 25e6, 'supercritical'],
      [630, 20e6, 'liquid'],
      [1500, 0.5e6, 'vapor'],
      [400, 1e4, 'vapor'],
    ]
    for (const [T, P, phase] of cases) {
      const a = F.flashTP(T, P)
      expect(a.phase).toBe(phase)
      const b = F.flashPH(P, a.h)
      close(b.T, T, 1e-11)
      const c = F.flashPS(P, a.s)
      close(c.T, T, 1e-11)
      const d = F.flashPU(P, a.u)
      close(d.T, T, 1e-10)
      const e = F.flashTRho(T, a.rho)
      close(e.P, P, 1e-9)
    }
  })
  it('two-phase from region 4 with saturated phases of regions 1 and 2', () => {
    const s = F.saturationP(1e6)
    close(s.T, 453.035632, 1e-9)
    const m = F.flashPx(1e6, 0.25)
    expect(m.phase).toBe('two-phase')
    close(F.flashPH(1e6, m.h).x as number, 0.25, 1e-12)
    expect(F.flashTP(1500, 40e6).phase).toBe('supercritical')
    expect(() => F.flashTP(1500, 60e6)).toThrow(/outside/)
  })
})

describe('IAPWS-95 against IAPWS-IF97 (IF97 development tolerances)', () => {
  const H = getPropertyPackage('helmholtz')
  const F = getPropertyPackage('if97')
  const P = [1e3, 1e5, 1e6, 5e6, 1e7, 2e7, 3e7, 5e7, 1e8]
  it('regions 1, 2 and 5: rho 0.05 %, h 0.5 kJ/kg, cp and w 1 %', () => {
    for (let T = 275; T <= 1273; T += 11)
      for (const p of P) {
        if (T > 1073.15 && p > 50e6) continue
        const in3 = T > 623.15 && p / 1e6 > I.pB23(T)
        if (in3) continue
        const a = H.flashTP(T, p)
        const b = F.flashTP(T, p)
        expect(a.phase).toBe(b.phase)
        expect(Math.abs(a.rho / b.rho - 1)).toBeLessThan(5e-4)
        expect(Math.abs(a.hMass - b.hMass)).toBeLessThan(500)
        expect(Math.abs((a.cp as number) / (b.cp as number) - 1)).toBeLessThan(0.01)
        expect(Math.abs((a.w as number) / (b.w as number) - 1)).toBeLessThan(0.01)
      }
  })
  it('region 3 away from the critical point: rho 0.5 %, cp 5 %', () => {
    for (let T = 625; T <= 860; T += 5)
      for (const p of [2e7, 3e7, 5e7, 7e7, 1e8]) {
        if (!(p / 1e6 > I.pB23(T))) continue
        if (Math.abs(T - 647.096) < 15 && p < 3e7) continue
        const a = H.flashTP(T, p)
        const b = F.flashTP(T, p)
        expect(Math.abs(a.rho / b.rho - 1)).toBeLessThan(5e-3)
        expect(Math.abs((a.cp as number) / (b.cp as number) - 1)).toBeLessThan(0.05)
      }
  })
  it('saturation pressure within 0.025 %', () => {
    for (let T = 275; T < 647; T += 4) {
      const a = H.saturationT(T).P
      const b = F.saturationT(T).P
      expect(Math.abs(a / b - 1)).toBeLessThan(2.5e-4)
    }
  })
})
