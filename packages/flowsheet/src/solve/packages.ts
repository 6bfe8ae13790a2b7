import { AppError } from '@rere/contract'
import type { ThermoPackage } from '@rere/unit-ops'

/**
 * Property-package resolution for the solver. The default resolver is @rere/thermo's
 * `getPropertyPackage` (wired in ../index.ts); tests may install their own.
 */
export type PackageResolver = (name: string, compound: string) => ThermoPackage

let resolver: PackageResolver | null = null
const cache = new Map<string, ThermoPackage>()

export function setPackageResolver(r: PackageResolver | null): void {
  resolver = r
  cache.clear()
}

export function resolvePackage(name: string, compound: string): ThermoPackage {
  const key = `${name}:${compound}`
  const hit = cache.get(key)
  if (hit) return hit
  if (!resolver)
    throw new AppError('FLOWSHEET_UNSUPPORTED_PACKAGE', `No property package resolver for ${key}`, {
      statusCode: 400,
      details: { field: 'property_package', value: key },
    })
  const pkg = resolver(name, compound)
  cache.set(key, pkg)
  return pkg
}
