/** Small builders for FlowsheetSchema test documents. */
type Props = Record<
  string,
  { data: { id: number; value?: number | null; guess?: boolean }[]; unit?: string | null }
>

let nextId = 1000
/** one property with a fresh id: prop(80, 'degC') or prop(null) to ask for it */
export function prop(
  value: number | null,
  unit: string | null = null,
  extra: { guess?: boolean } = {},
) {
  return { data: [{ id: nextId++, value, ...extra }], unit }
}
export function unit(
  id: number,
  type: string,
  name: string,
  ports: Record<string, { id: number; properties?: Props }>,
  properties: Props = {},
  args: Record<string, unknown> = {},
) {
  return {
    id,
    type,
    name,
    args: type === 'heatExchanger' ? args : { property_package: -1, ...args },
    properties,
    ports: Object.fromEntries(
      Object.entries(ports).map(([k, p]) => [k, { id: p.id, properties: p.properties ?? {} }]),
    ),
  }
}
export function sheet(
  units: unknown[],
  arcs: [number, number][] = [],
  expressions: unknown[] = [],
) {
  return {
    id: 1,
    name: 'test',
    dynamic: false,
    property_packages: [],
    unit_models: units,
    arcs: arcs.map(([s, d], i) => ({ id: 500 + i, source: s, destination: d })),
    expressions,
  }
}
