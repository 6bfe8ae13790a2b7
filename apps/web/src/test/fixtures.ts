// Shapes as the API contract describes them, for component tests.
import type { PropertyInfo, SimulationObject, SolveResult } from '../api/types.ts'

export function prop(p: Partial<PropertyInfo> & Pick<PropertyInfo, 'id' | 'key'>): PropertyInfo {
  return {
    displayName: p.key,
    unit: 'dimensionless',
    value: null,
    valueSI: null,
    unitSI: 'dimensionless',
    quantity: null,
    fixed: false,
    guess: false,
    computed: null,
    constraint: null,
    controlled: null,
    ...p,
  }
}

export function stream(id: number, name: string, props: PropertyInfo[]): SimulationObject {
  return {
    id,
    flowsheetOwner: 1,
    objectType: 'stream',
    componentName: name,
    x: 0,
    y: 0,
    ports: [],
    connections: { source: null, destination: { unitId: 5, portId: 51 } },
    properties: { id: 100 + id, contained_properties: props },
  }
}

export const feedProps = () => [
  prop({
    id: 11,
    key: 'temperature',
    displayName: 'Temperature',
    unit: 'degC',
    unitSI: 'K',
    quantity: 'temperature',
  }),
  prop({
    id: 12,
    key: 'pressure',
    displayName: 'Pressure',
    unit: 'kPa',
    unitSI: 'Pa',
    quantity: 'pressure',
    fixed: true,
    value: 100,
    valueSI: 1e5,
  }),
  prop({
    id: 13,
    key: 'flow_mol',
    displayName: 'Molar flow',
    unit: 'mol/s',
    unitSI: 'mol/s',
    quantity: 'molar_flow',
  }),
]

export const pumpResult: SolveResult = {
  id: 9,
  flowsheetId: 1,
  status: 'success',
  error: null,
  timing: { totalMs: 4.2 },
  streams: [
    {
      streamId: 1,
      name: 'S1',
      temperature: 353.15,
      pressure: 1e5,
      flowMol: 1000,
      flowMass: 18.015268,
      enthMol: 6032.1,
      entrMol: 19.4,
      vaporFrac: 0,
      phase: 'liquid',
    },
    {
      streamId: 2,
      name: 'S2',
      temperature: 353.18,
      pressure: 2e5,
      flowMol: 1000,
      flowMass: 18.015268,
      enthMol: 6035.8,
      entrMol: 19.41,
      vaporFrac: 0,
      phase: 'liquid',
    },
  ],
  units: [
    {
      unitId: 5,
      name: 'Pump-1',
      type: 'pump',
      values: { work_mechanical: 3707.5, work_fluid: 1853.8 },
      unitsSI: { work_mechanical: 'W', work_fluid: 'W' },
    },
  ],
  properties: [],
}

/** A fetch mock recording requests; replies with `reply(method, url, body)`. */
export function mockFetch(
  reply: (
    method: string,
    url: string,
    body: unknown,
  ) => { status?: number; body?: unknown; etag?: string },
) {
  const calls: { method: string; url: string; body: unknown; headers: Record<string, string> }[] =
    []
  const fn = async (url: string, init: RequestInit = {}) => {
    const method = init.method ?? 'GET'
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, url, body, headers: (init.headers ?? {}) as Record<string, string> })
    const r = reply(method, url, body)
    const headers = new Headers({ 'content-type': 'application/json' })
    if (r.etag) headers.set('etag', r.etag)
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status ?? 200,
      headers,
    })
  }
  return { fn, calls }
}
