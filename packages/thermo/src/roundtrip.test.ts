/**
 * Round trips: every flash pair recovers the state it was computed from, on a grid of a few
 * thousand states (liquid, vapour, supercritical, near the triple point, two-phase). Within 1 K
 * of the critical point, where density from (T,P) is ill-conditioned, the residual of the input
 * pair is checked instead of the recovered state.
 */
import { describe, expect, it } from 'vitest'
import {
  getPropertyPackage,
  MeltingCurve,
  type PropertyPackage,
  type ThermoState,
} from './index.ts'

const melting = new MeltingCurve()

function grid(pkg: PropertyPackage, Tmax: number, Pmax: number): [number, number][] {
  const out: [number, number][] = []
  const nT = 40
  const nP = 30
  for (let i = 0; i < nT; i++) {
    const T = 273.16 + ((Tmax - 273.16) * i) / (nT - 1)
    for (let j = 0; j < nP; j++) {
      const P = 1e3 * Math.pow(Pmax / 1e3, j / (nP - 1))
      // IAPWS-95 stops at the melting line (ice VI above 632.4 MPa is solid at 273.16 K)
      if (pkg.name === 'helmholtz' && T < (melting.temperature(P)?.T ?? 0)) continue
      out.push([T, P])
    }
  }
  // near the triple point and near the critical point
  for (let T = 273.16; T < 280; T += 0.7)
    for (const P of [700, 1e3, 1e4, 1e5, 1e7]) out.push([T, P])
  for (let T = pkg.critical.T - 2; T < pkg.critical.T + 2; T += 0.25)
    for (let P = 21.5e6; P < 23e6; P += 0.25e6) out.push([T, P])
  return out
}

function rel(a: number, b: number) {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300)
}

function roundTrips(name: 'helmholtz' | 'if97', Tmax: number, Pmax: number) {
  const pkg = getPropertyPackage(name)
  const Tc = pkg.critical.T
  it('single phase: (P,h), (P,s), (P,u), (T,rho) recover the (T,P) state', () => {
    const pts = grid(pkg, Tmax, Pmax)
    let n = 0
    const worst = { T: 0, rho: 0, resid: 0, P: 0 }
    for (const [T, P] of pts) {
      if (T > 1073.15 && name === 'if97' && P > 50e6) continue
      const a = pkg.flashTP(T, P)
      const nearCrit = Math.abs(T - Tc) < 1
      const back: [ThermoState, number, number][] = [
        [pkg.flashPH(P, a.h), a.h, 0],
        [pkg.flashPS(P, a.s), a.s, 1],
        [pkg.flashPU(P, a.u), a.u, 2],
      ]
      for (const [b, y, k] of back) {
        n++
        const yb = k === 0 ? b.h : k === 1 ? b.s : b.u
        worst.resid = Math.max(worst.resid, Math.abs(yb - y) / (Math.abs(y) + 100))
        if (!nearCrit) {
          worst.T = Math.max(worst.T, rel(b.T, T))
          worst.rho = Math.max(worst.rho, rel(b.rho, a.rho))
        }
        expect(b.phase === a.phase || (nearCrit && b.phase !== 'two-phase') || b.x === a.x).toBe(
          true,
        )
      }
      const c = pkg.flashTRho(T, a.rho)
      n++
      if (c.phase !== 'two-phase') worst.P = Math.max(worst.P, rel(c.P, P))
    }
    expect(n).toBeGreaterThan(2000)
    expect(worst.resid).toBeLessThan(1e-10)
    expect(worst.T).toBeLessThan(1e-9)
    expect(worst.rho).toBeLessThan(name === 'if97' ? 1e-7 : 1e-8)
    expect(worst.P).toBeLessThan(1e-6)
  })
  it('two-phase: (T,x) states come back from (P,h), (P,s), (P,u), (T,rho), (P,x)', () => {
    let n = 0
    for (let T = 273.16; T < Tc - 0.5; T += (Tc - 273.16) / 60) {
      for (const x of [0.001, 0.1, 0.5, 0.9, 0.999]) {
        const a = pkg.flashTx(T, x)
        expect(a.phase).toBe('two-phase')
        for (const b of [
          pkg.flashPH(a.P, a.h),
          pkg.flashPS(a.P, a.s),
          pkg.flashPU(a.P, a.u),
          pkg.flashPx(a.P, x),
        ]) {
          n++
          expect(b.phase).toBe('two-phase')
          expect(Math.abs((b.x as number) - x)).toBeLessThan(1e-7)
          expect(rel(b.T, T)).toBeLessThan(1e-9)
        }
        const c = pkg.flashTRho(T, a.rho)
        expect(Math.abs((c.x as number) - x)).toBeLessThan(1e-7)
      }
    }
    expect(n).toBeGreaterThan(1000)
  })
  it('never a NaN or Infinity in a result', () => {
    for (const [T, P] of grid(pkg, Tmax, Pmax).slice(0, 400)) {
      if (T > 1073.15 && name === 'if97' && P > 50e6) continue
      const s = pkg.flashTP(T, P)
      for (const v of Object.values(s))
        if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true)
    }
  })
}

describe('IAPWS-95 round trips (helmholtz)', () => roundTrips('helmholtz', 1273, 1e9))
describe('IAPWS-IF97 round trips (if97)', () => roundTrips('if97', 1073, 1e8))

describe('near the critical point (both packages): no failures, finite results', () => {
  for (const name of ['helmholtz', 'if97'] as const)
    it(name, () => {
      const pkg = getPropertyPackage(name)
      let seed = 11
      const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647
      for (let i = 0; i < 300; i++) {
        const P = 21.0e6 + rnd() * 2.0e6
        const r = pkg.propsPH(P, 30000 + rnd() * 15000)
        for (const v of Object.values(r.state))
          if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true)
        pkg.flashTP(640 + rnd() * 15, P)
        const T = 646 + rnd() * 1.096
        const s = pkg.saturationT(T)
        expect(s.liquid.rho).toBeGreaterThanOrEqual(s.vapor.rho)
        pkg.flashTx(T, rnd())
        const sp = pkg.saturationP(21.8e6 + rnd() * 0.264e6)
        expect(sp.T).toBeLessThanOrEqual(pkg.critical.T)
      }
    })
})
