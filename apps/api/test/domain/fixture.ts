/** Shared steps of the domain tests: the pump fixture of API-CONTRACT.md, through the API. */
import { expect } from 'vitest'
import type { TestUser } from '../harness.ts'

export interface PropertyInfo {
  id: number
  key: string
  displayName: string
  unit: string
  value: number | null
  valueSI: number | null
  unitSI: string
  quantity: string
  fixed: boolean
  guess: boolean
  computed: number | null
  constraint: string | null
  controlled: number | null
}
export interface SimulationObject {
  id: number
  flowsheetOwner: number
  objectType: string
  componentName: string
  x: number
  y: number
  flowsheetVersion: number
  ports: { id: number; name: string; direction: 'inlet' | 'outlet'; streamId: number | null }[]
  connections: {
    source: { unitId: number; portId: number } | null
    destination: { unitId: number; portId: number } | null
  } | null
  properties: { id: number; contained_properties: PropertyInfo[] }
}

export function prop(o: SimulationObject, key: string): PropertyInfo {
  const p = o.properties.contained_properties.find((x) => x.key === key)
  if (!p) throw new Error(`${o.componentName} has no property ${key}`)
  return p
}

export async function ok<T>(
  u: TestUser,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
  status = method === 'POST' ? 201 : 200,
  headers: Record<string, string> = {},
): Promise<T> {
  const r = await u.inject({
    method,
    url,
    ...(payload === undefined ? {} : { payload: payload as object }),
    headers,
  })
  expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(status)
  return (r.body ? r.json() : undefined) as T
}

/** The fixture calls (create-pump) in order; returns the ids. */
export async function createPumpSheet(u: TestUser, name = 'pump-fixture') {
  const fs = await ok<{ id: number; version: number }>(u, 'POST', '/api/flowsheets/', { name })
  const pump = await ok<SimulationObject>(u, 'POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: fs.id,
    objectType: 'pump',
    componentName: 'Pump-1',
    x: 300,
    y: 200,
  })
  const inlet = pump.ports.find((p) => p.name === 'inlet')!
  const outlet = pump.ports.find((p) => p.name === 'outlet')!
  const s1 = await ok<SimulationObject>(u, 'POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: fs.id,
    objectType: 'stream',
    componentName: 'S1',
    destination: inlet.id,
  })
  const s2 = await ok<SimulationObject>(u, 'POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: fs.id,
    objectType: 'stream',
    componentName: 'S2',
    source: outlet.id,
  })
  const patch = (id: number, body: object) =>
    ok<PropertyInfo>(u, 'PATCH', `/api/core/propertyinfo/${id}/`, body)
  await patch(prop(s1, 'temperature').id, { value: 80, unit: 'degC', fixed: true })
  await patch(prop(s1, 'pressure').id, { value: 100, unit: 'kPa', fixed: true })
  await patch(prop(s1, 'flow_mol').id, { value: 1000, unit: 'mol/s', fixed: true })
  await patch(prop(pump, 'efficiency_pump').id, { value: 0.5, fixed: true })
  await patch(prop(s2, 'pressure').id, { value: 200, unit: 'kPa', fixed: true })
  return { id: fs.id, pump, s1, s2, inlet, outlet }
}
