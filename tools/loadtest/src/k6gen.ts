/**
 * Generates the k6 script (k6/rere.ts) from profiles/builtin.json, so the k6 users' profiles,
 * endpoints, base options and fixture calls are the runner's. A test checks that the committed
 * script equals this output (`rere loadtest k6-script --write` regenerates it).
 */
import { fileURLToPath } from 'node:url'
import { builtin } from './profiles.ts'

export const K6_SCRIPT_PATH = new URL('../k6/rere.ts', import.meta.url)

/** The script, formatted with the repository's Prettier settings (so `prettier --check` passes). */
export async function k6Script(): Promise<string> {
  const prettier = await import('prettier')
  const path = fileURLToPath(K6_SCRIPT_PATH)
  const config = (await prettier.resolveConfig(path)) ?? {}
  return prettier.format(k6Source(), { ...config, filepath: path })
}

function k6Source(): string {
  const b = builtin()
  const data = { endpoints: b.endpoints, baseOptions: b.baseOptions, profiles: b.profiles }
  return `// GENERATED from tools/loadtest/profiles/builtin.json by \`rere loadtest k6-script --write\`.
// Do not edit: a test checks that this file equals the generator's output.
//
// Rere's load profiles for k6 >= 0.57 (which runs TypeScript):
//   k6 run -e URL=http://127.0.0.1:8080 -e ENDPOINT=uor -e PROFILE=average \\
//     [-e TOKEN=rere_...] [-e RATE_SCALE=1] [-e TIME_SCALE=1] [-e FLOWSHEET_ID=12] \\
//     --out json=trial-1.ndjson tools/loadtest/k6/rere.ts
// ENDPOINT: uor (GET /api/unitops/unitops/?flowsheetOwner={id}) | fs (POST /api/solve/idaes/).
// PROFILE: average | stress | spike | breakpoint. setup() creates the pump fixture with the calls
// of \`rere fixture create-pump\`, teardown() deletes it. Only 2xx responses count as success
// (a redirect is a failure: maxRedirects 0). The breakpoint profile aborts when more than 100
// VUs are busy (threshold vus: value<=100, abortOnFail): k6 then exits 99, read as "breakpoint
// reached". \`rere loadtest analyze\` reads the --out json / --out csv results.
/// <reference types="k6" />
import http from 'k6/http'
import type { Options } from 'k6/options'

interface Stage {
  duration: string
  target: number
}
interface ScenarioData {
  executor: string
  startRate: number
  timeUnit: string
  preAllocatedVUs: number
  maxVUs: number
  gracefulStop: string
  stages: Stage[]
  thresholds?: Record<string, ({ threshold: string; abortOnFail?: boolean } | string)[]>
}
interface EndpointData {
  description: string
  method: string
  path: string
  body?: Record<string, unknown>
  degradationMs: number
}
interface ProfileData {
  description: string
  uor: ScenarioData
  fs: ScenarioData
}
interface Data {
  endpoints: { uor: EndpointData; fs: EndpointData }
  baseOptions: {
    insecureSkipTLSVerify: boolean
    noConnectionReuse: boolean
    discardResponseBodies: boolean
    maxRedirects: number
    expectedStatuses: { min: number; max: number }
    httpTimeout: string
  }
  profiles: Record<string, ProfileData>
}

export const DATA: Data = ${JSON.stringify(data, null, 2)}

/** A k6 duration ("1m30s", "250ms") in seconds. */
export function seconds(d: string): number {
  const mult: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 }
  let total = 0
  const re = /(\\d+(?:\\.\\d+)?)(ms|h|m|s)/g
  let m = re.exec(d)
  while (m !== null) {
    total += Number(m[1]) * mult[m[2]]
    m = re.exec(d)
  }
  return total
}

const BASE_URL = (__ENV.URL ?? 'http://127.0.0.1:8080').replace(/\\/+$/, '')
const ENDPOINT = (__ENV.ENDPOINT ?? 'uor') as 'uor' | 'fs'
const PROFILE = __ENV.PROFILE ?? 'average'
const RATE_SCALE = Number(__ENV.RATE_SCALE ?? '1')
const TIME_SCALE = Number(__ENV.TIME_SCALE ?? '1')
if (ENDPOINT !== 'uor' && ENDPOINT !== 'fs') throw new Error(\`unknown ENDPOINT "\${ENDPOINT}" (uor | fs)\`)
if (!DATA.profiles[PROFILE]) throw new Error(\`unknown PROFILE "\${PROFILE}" (\${Object.keys(DATA.profiles).join(', ')})\`)
if (!(RATE_SCALE > 0) || !(TIME_SCALE > 0)) throw new Error('RATE_SCALE and TIME_SCALE must be > 0')

const SC = DATA.profiles[PROFILE][ENDPOINT]
const EP = DATA.endpoints[ENDPOINT]
const BASE = DATA.baseOptions

export const options: Options = {
  insecureSkipTLSVerify: BASE.insecureSkipTLSVerify,
  noConnectionReuse: BASE.noConnectionReuse,
  discardResponseBodies: BASE.discardResponseBodies,
  maxRedirects: BASE.maxRedirects,
  scenarios: {
    [PROFILE]: {
      executor: 'ramping-arrival-rate',
      startRate: SC.startRate * RATE_SCALE,
      timeUnit: SC.timeUnit,
      preAllocatedVUs: SC.preAllocatedVUs,
      maxVUs: SC.maxVUs,
      gracefulStop: SC.gracefulStop,
      stages: SC.stages.map((s) => ({
        duration: \`\${Math.round(seconds(s.duration) * TIME_SCALE * 1000)}ms\`,
        target: s.target * RATE_SCALE,
      })),
    },
  },
  ...(SC.thresholds ? { thresholds: SC.thresholds } : {}),
}

http.setResponseCallback(http.expectedStatuses(BASE.expectedStatuses))

function headers(): Record<string, string> {
  const h: Record<string, string> = { 'Content-Type': 'application/json' }
  if (__ENV.TOKEN) h.Authorization = \`Bearer \${__ENV.TOKEN}\`
  return h
}

interface SimObject {
  id: number
  ports: { id: number; name: string; direction: string }[]
  properties: { contained_properties: { id: number; key: string }[] }
}

function call<T>(method: string, path: string, body?: unknown): T {
  const res = http.request(method, \`\${BASE_URL}\${path}\`, body === undefined ? null : JSON.stringify(body), {
    headers: headers(),
    responseType: 'text',
    timeout: BASE.httpTimeout,
  })
  if (res.status < 200 || res.status > 299) throw new Error(\`fixture: \${method} \${path} -> \${res.status}\`)
  return (res.body ? JSON.parse(res.body as string) : null) as T
}

function prop(o: SimObject, key: string): number {
  const p = o.properties.contained_properties.find((c) => c.key === key)
  if (!p) throw new Error(\`fixture: no property \${key}\`)
  return p.id
}

function port(o: SimObject, direction: string): number {
  const p = o.ports.find((x) => x.direction === direction)
  if (!p) throw new Error(\`fixture: no \${direction} port\`)
  return p.id
}

/** The pump fixture: the calls of \`rere fixture create-pump\` (docs/experiments.md). */
export function setup(): { id: number; created: boolean } {
  if (__ENV.FLOWSHEET_ID) return { id: Number(__ENV.FLOWSHEET_ID), created: false }
  const sheet = call<{ id: number }>('POST', '/api/flowsheets/', { name: \`pump-fixture-\${Date.now()}\` })
  const id = sheet.id
  const obj = (b: Record<string, unknown>) =>
    call<SimObject>('POST', '/api/unitops/simulationobjects/', { flowsheetOwner: id, ...b })
  const pump = obj({ objectType: 'pump', componentName: 'Pump-1', x: 300, y: 200 })
  const s1 = obj({ objectType: 'stream', componentName: 'S1', destination: port(pump, 'inlet') })
  const s2 = obj({ objectType: 'stream', componentName: 'S2', source: port(pump, 'outlet') })
  const patch = (pid: number, b: Record<string, unknown>) => call('PATCH', \`/api/core/propertyinfo/\${pid}/\`, b)
  patch(prop(s1, 'temperature'), { value: 80, unit: 'degC', fixed: true })
  patch(prop(s1, 'pressure'), { value: 100, unit: 'kPa', fixed: true })
  patch(prop(s1, 'flow_mol'), { value: 1000, unit: 'mol/s', fixed: true })
  patch(prop(pump, 'efficiency_pump'), { value: 0.5, unit: 'dimensionless', fixed: true })
  patch(prop(s2, 'pressure'), { value: 200, unit: 'kPa', fixed: true })
  return { id, created: true }
}

export default function (data: { id: number }): void {
  const path = EP.path.replace('{id}', String(data.id))
  const params = { headers: headers(), timeout: BASE.httpTimeout }
  if (EP.method === 'GET') http.get(\`\${BASE_URL}\${path}\`, params)
  else http.post(\`\${BASE_URL}\${path}\`, JSON.stringify({ flowsheet_id: data.id }), params)
}

export function teardown(data: { id: number; created: boolean }): void {
  if (data.created) http.del(\`\${BASE_URL}/api/flowsheets/\${data.id}/\`, null, { headers: headers() })
}
`
}
