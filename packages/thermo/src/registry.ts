/** Property packages by name: `helmholtz` (IAPWS-95) and `if97` (IAPWS-IF97). */
import { badInput } from './errors.ts'
import { loadFluid } from './helmholtz/fluid.ts'
import { MeltingCurve } from './helmholtz/melting.ts'
import { HelmholtzPackage } from './helmholtz/package.ts'
import {
  If97Package,
  if97GuessPsat,
  if97GuessRho,
  if97GuessT,
  if97SatGuess,
} from './if97/package.ts'
import type { PropertyPackage } from './types.ts'

export const PACKAGE_NAMES = ['helmholtz', 'if97'] as const
export type PackageName = (typeof PACKAGE_NAMES)[number]

const COMPOUNDS: Record<string, string> = { water: 'water', h2o: 'water' }

const cache = new Map<string, PropertyPackage>()

function create(name: PackageName, compound: string): PropertyPackage {
  if (name === 'helmholtz') {
    const fluid = loadFluid('water-iapws95.json', 'water-ancillary.json')
    return new HelmholtzPackage(fluid, {
      compound,
      version: 'IAPWS-95 (R6-95(2018))',
      // IAPWS-95 is valid from the melting line (R14-08) to 1273 K: Tmin is the lowest
      // melting temperature (the ice Ih-III-liquid triple point); at P the bound is the melting
      // temperature, 273.15 K below ~0.14 MPa (as before; 0.01 K below the triple point)
      bounds: { Tmin: 251.165, Tmax: 1273.15, Pmin: 1e-3, Pmax: 1e9 },
      melting: { curve: new MeltingCurve('water-melting.json'), lowPressureTmin: 273.15 },
      // IF97's backward equations seed the iterations (water only); results are IAPWS-95
      guess: {
        T: if97GuessT,
        psat: if97GuessPsat,
        rho: if97GuessRho,
        sat: if97SatGuess,
        margin: { h: 2e3, s: 5, u: 2e3 },
      },
    })
  }
  return new If97Package()
}

/**
 * A property package by name. Packages are created once and shared (they are not re-entrant
 * across threads but Node runs one thread per isolate; each worker gets its own instance).
 * @param name - 'helmholtz' | 'if97'
 * @param compound - 'water' | 'h2o' (default 'water')
 */
export function getPropertyPackage(name: string, compound = 'water'): PropertyPackage {
  if (typeof name !== 'string' || !(PACKAGE_NAMES as readonly string[]).includes(name))
    throw badInput(
      'package',
      name,
      `unknown property package "${String(name)}"; use one of ${PACKAGE_NAMES.join(', ')}`,
    )
  const c = typeof compound === 'string' ? COMPOUNDS[compound.toLowerCase()] : undefined
  if (c === undefined)
    throw badInput(
      'compound',
      compound,
      `unknown compound "${String(compound)}" for package ${name}; use water (h2o)`,
    )
  const key = `${name}:${c}`
  let pkg = cache.get(key)
  if (!pkg) {
    pkg = create(name as PackageName, c)
    cache.set(key, pkg)
  }
  return pkg
}
