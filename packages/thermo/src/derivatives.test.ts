/**
 * Derivatives against fourth-order central finite differences: the Helmholtz-energy derivatives
 * (including the non-analytic terms near and at delta = 1), the (T, rho) partial derivatives, and
 * the (P,h) flash derivatives propsPH returns (single phase and two-phase) for both packages.
 */
import { describe, expect, it } from 'vitest'
import { getPropertyPackage, type PHDerivativeKey, type ThermoState } from './index.ts'
import { HelmholtzEos } from './helmholtz/eos.ts'
import { loadFluid } from './helmholtz/fluid.ts'
import { HelmholtzProps, TRhoProps } from './helmholtz/props.ts'

/** fourth-order central difference of f at x with step e */
function d4(f: (x: number) => number, x: number, e: number): number {
  return (8 * (f(x + e) - f(x - e)) - f(x + 2 * e) + f(x - 2 * e)) / (12 * e)
}
function near(a: number, b: number, rel: number, abs = 0) {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b) + abs)
}

const fluid = loadFluid('water-iapws95.json', 'water-ancillary.json')
const eos = new HelmholtzEos(fluid)

describe('IAPWS-95 phi derivatives against finite differences', () => {
  const pts: [number, number][] = [
    [2.6, 1.29], // Table 6 neighbourhood
    [0.01, 2.0],
    [1.0, 1.02], // delta = 1 exactly: the special case of the non-analytic terms
    [1.05, 1.003], // near critical
    [0.9, 0.99],
    [3.5, 2.3],
  ]
  const o = new Float64Array(6)
  const phi = (d: number, t: number) => {
    eos.residual(d, t, o)
    return o[0]
  }
  const at = (d: number, t: number, k: number) => {
    eos.residual(d, t, o)
    return o[k]
  }
  for (const [d, t] of pts)
    it(`phir at delta = ${d}, tau = ${t}`, () => {
      const e = 1e-4
      near(
        at(d, t, 1),
        d4((x) => phi(x, t), d, e),
        1e-7,
        1e-9,
      )
      near(
        at(d, t, 3),
        d4((x) => phi(d, x), t, e),
        1e-7,
        1e-9,
      )
      near(
        at(d, t, 2),
        d4((x) => at(x, t, 1), d, e),
        1e-6,
        1e-8,
      )
      near(
        at(d, t, 4),
        d4((x) => at(d, x, 3), t, e),
        1e-6,
        1e-8,
      )
      near(
        at(d, t, 5),
        d4((x) => at(x, t, 3), d, e),
        1e-6,
        1e-8,
      )
    })
  it('third derivatives (for the exact cp derivatives)', () => {
    const t3 = new Float64Array(4)
    for (const [d, t] of pts) {
      eos.third(d, t, t3)
      const e = 1e-4
      const both = (dd: number, tt: number, k: number) => {
        const i0 = new Float64Array(6)
        eos.ideal(dd, tt, i0)
        return at(dd, tt, k) + (k === 4 ? i0[4] : 0)
      }
      near(
        t3[0],
        d4((x) => both(d, x, 4), t, e),
        1e-6,
        1e-6,
      )
      near(
        t3[1],
        d4((x) => at(x, t, 4), d, e),
        1e-6,
        1e-6,
      )
      near(
        t3[2],
        d4((x) => at(d, x, 2), t, e),
        1e-6,
        1e-6,
      )
      near(
        t3[3],
        d4((x) => at(x, t, 2), d, e),
        1e-6,
        1e-6,
      )
    }
  })
  it('(T, rho) partial derivatives of p, h, s, u', () => {
    const P = new HelmholtzProps(eos)
    const o1 = new TRhoProps()
    for (const [T, r] of [
      [300, 996.5],
      [500, 4.5],
      [700, 200],
      [650, 400],
    ]) {
      P.eval(T, r, o1)
      const at2 = (TT: number, rr: number) => P.eval(TT, rr, new TRhoProps())
      near(
        o1.dpdT,
        d4((x) => at2(x, r).p, T, 1e-3),
        1e-7,
      )
      near(
        o1.dpdrho,
        d4((x) => at2(T, x).p, r, r * 1e-5),
        1e-7,
      )
      near(
        o1.dhdT,
        d4((x) => at2(x, r).h, T, 1e-3),
        1e-7,
      )
      near(
        o1.dhdrho,
        d4((x) => at2(T, x).h, r, r * 1e-5),
        1e-6,
        1e-9,
      )
      near(
        o1.dsdT,
        d4((x) => at2(x, r).s, T, 1e-3),
        1e-7,
      )
      near(
        o1.dsdrho,
        d4((x) => at2(T, x).s, r, r * 1e-5),
        1e-6,
        1e-12,
      )
      near(
        o1.dudrho,
        d4((x) => at2(T, x).u, r, r * 1e-5),
        1e-6,
        1e-9,
      )
    }
  })
})

function checkPH(name: 'helmholtz' | 'if97', P: number, h: number, tol: number) {
  const pkg = getPropertyPackage(name)
  const r = pkg.propsPH(P, h)
  const pick = (s: ThermoState, k: PHDerivativeKey): number =>
    k === 'x' ? (s.x ?? 0) : k === 'cp' ? (s.cp ?? 0) : (s[k] as number)
  const eP = P * 1e-5
  const eh = Math.max(Math.abs(h), 1000) * 1e-6
  for (const k of ['T', 'rho', 's', 'x', 'u', 'cp'] as PHDerivativeKey[]) {
    const dP = d4((x) => pick(pkg.flashPH(x, h), k), P, eP)
    const dh = d4((x) => pick(pkg.flashPH(P, x), k), h, eh)
    const scaleP = Math.abs(pick(r.state, k)) / P + 1e-30
    const scaleh = Math.abs(pick(r.state, k)) / (Math.abs(h) + 1000) + 1e-30
    const t = k === 'cp' ? (name === 'helmholtz' ? 10 * tol : 1e-4) : tol
    near(r.d[k].dP, dP, t, t * scaleP)
    near(r.d[k].dh, dh, t, t * scaleh)
  }
}

describe('Joule-Thomson coefficient and isothermal compressibility', () => {
  for (const name of ['helmholtz', 'if97'] as const)
    it(`${name}: muJT = (dT/dP)_h and kappaT = (1/rho)(drho/dP)_T by differences`, () => {
      const pkg = getPropertyPackage(name)
      const P = new HelmholtzProps(eos)
      for (const [T, p] of [
        [300, 1e6],
        [500, 1e5],
        [700, 3e7],
      ]) {
        const st = pkg.flashTP(T, p)
        const o = name === 'helmholtz' ? P.eval(T, st.rho, new TRhoProps()) : null
        const mu = o ? o.muJT : pkg.propsPH(p, st.h).d.T.dP
        const kT = o ? o.kappaT : NaN
        near(
          mu,
          d4((x) => pkg.flashPH(x, st.h).T, p, p * 1e-5),
          1e-6,
          1e-14,
        )
        if (o) near(kT, d4((x) => pkg.flashTP(T, x).rho, p, p * 1e-5) / st.rho, 1e-6, 1e-18)
      }
    })
})

describe('propsPH derivatives against finite differences of the (P,h) flash', () => {
  for (const name of ['helmholtz', 'if97'] as const) {
    it(`${name}: compressed liquid, 80 degC and 1 bar`, () => checkPH(name, 1e5, 6036.09, 1e-6))
    it(`${name}: superheated vapour`, () => checkPH(name, 1e6, 52000, 1e-6))
    it(`${name}: supercritical`, () => checkPH(name, 30e6, 45000, 1e-5))
    it(`${name}: two-phase`, () => checkPH(name, 1e6, 30000, 1e-6))
    it(`${name}: two-phase near the critical point`, () => checkPH(name, 20e6, 35000, 1e-5))
  }
})
