import type { Catalogue, CatalogueEntry, CatalogueProperty } from '@rere/contract'
import { FEED_DEFAULTS, STREAM_PROPERTIES, UNIT_TYPES, type PropertyDef } from './catalogue.ts'

export * from './catalogue.ts'

/** Property packages Rere solves (water only). */
export const PROPERTY_PACKAGES: Catalogue['propertyPackages'] = [
  { name: 'helmholtz', compounds: ['water'], version: 'IAPWS-95 (R6-95(2018))' },
  { name: 'if97', compounds: ['water'], version: 'IAPWS-IF97 (R7-97(2012))' },
]

function toCat(d: PropertyDef, feed = false): CatalogueProperty {
  const f = feed ? FEED_DEFAULTS[d.key] : undefined
  return {
    key: d.key,
    displayName: d.displayName,
    unit: f?.unit ?? d.unit,
    default: f?.value ?? d.default,
    fixed: f !== undefined || d.fixed,
    quantity: d.kind,
  }
}

let cached: Catalogue | undefined

/** `GET /catalogue`: every unit type with its ports, properties and defaults, plus the stream. */
export function getCatalogue(): Catalogue {
  if (cached) return cached
  const units: CatalogueEntry[] = UNIT_TYPES.map((u) => {
    const args = Object.fromEntries(
      Object.entries(u.args).filter((e): e is [string, number | string | boolean] => e[1] !== null),
    )
    return {
      type: u.type,
      displayName: u.displayName,
      description: u.description,
      args,
      properties: u.properties.map((d) => toCat(d)),
      ports: u.ports(args).map((port) => ({
        name: port.name,
        direction: port.direction,
        properties: STREAM_PROPERTIES.filter((d) => d.indexedBy === undefined).map((d) =>
          toCat(d, port.direction === 'inlet'),
        ),
      })),
    }
  })
  units.push({
    type: 'stream',
    displayName: 'Material stream',
    description:
      'A stream joins an outlet to an inlet (an arc). A feed is an unconnected inlet: specify two of T, P, x, h plus a flow.',
    ports: [],
    properties: STREAM_PROPERTIES.filter((d) => d.indexedBy === undefined).map((d) =>
      toCat(d, true),
    ),
  })
  cached = { units, propertyPackages: PROPERTY_PACKAGES }
  return cached
}
