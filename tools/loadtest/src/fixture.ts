/**
 * The pump fixture the load profiles run against (the seed's pre-/post-trial scripts), made
 * over HTTP exactly as API-CONTRACT.md ("Fixture") lists, so `rere fixture`, the runner and the
 * k6 script's setup()/teardown() make the same calls:
 *   1. POST /api/flowsheets/ {name: 'pump-fixture-<timestamp>'}
 *   2. POST /api/unitops/simulationobjects/ pump Pump-1 at (300, 200)
 *   3. POST ... stream S1 into the pump inlet; 4. POST ... stream S2 from the pump outlet
 *   5. PATCH /api/core/propertyinfo/{id}/: S1 T 80 degC, P 100 kPa, flow 1000 mol/s (fixed);
 *      pump efficiency 0.5; S2 P 200 kPa (fixed)
 * and `deleteFixture` is DELETE /api/flowsheets/{id}/.
 */
import { EXIT, LoadtestError } from './errors.ts'

export interface FixtureResult {
  id: number
  name: string
  pumpId: number
  streams: { id: number; name: string; role: 'inlet' | 'outlet' }[]
  ports: { inlet: number; outlet: number }
}

interface PropertyInfo {
  id: number
  key: string
}
interface SimObject {
  id: number
  ports?: { id: number; name: string; direction: string }[]
  properties?: { contained_properties?: PropertyInfo[] }
}

export interface ClientOptions {
  url: string
  token?: string
  /** per-call timeout [ms] */
  timeoutMs?: number
}

/** One JSON call; a failure becomes a one-line LoadtestError (exit 107). */
export async function call<T>(
  o: ClientOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(path, o.url.endsWith('/') ? o.url : `${o.url}/`).toString()
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (o.token) headers.authorization = `Bearer ${o.token}`
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
    })
  } catch (e) {
    const cause = causeOf(e)
    throw new LoadtestError(
      'LOADTEST_TARGET_UNREACHABLE',
      `${method} ${url}: the target does not answer (${cause})`,
      {
        exitCode: EXIT.SETUP_FAILED,
        details: { field: 'url' },
      },
    )
  }
  const text = await res.text()
  let code = ''
  if (res.status < 200 || res.status > 299)
    try {
      code = (JSON.parse(text) as { code?: string }).code ?? ''
    } catch {
      // not JSON
    }
  if (res.status === 401 || res.status === 403)
    throw new LoadtestError(
      'LOADTEST_AUTH_FAILED',
      `${method} ${url}: ${res.status}${code ? ` ${code}` : ''} (bad or missing token)`,
      {
        exitCode: EXIT.SETUP_FAILED,
        details: { field: 'token' },
      },
    )
  if (res.status < 200 || res.status > 299) {
    throw new LoadtestError(
      'LOADTEST_FIXTURE_FAILED',
      `${method} ${url}: HTTP ${res.status}${code ? ` ${code}` : ''}`,
      {
        exitCode: EXIT.SETUP_FAILED,
        details: { status: res.status, code },
      },
    )
  }
  if (!text) return undefined as T
  try {
    return JSON.parse(text) as T
  } catch {
    throw new LoadtestError('LOADTEST_FIXTURE_FAILED', `${method} ${url}: reply is not JSON`, {
      exitCode: EXIT.SETUP_FAILED,
    })
  }
}

function prop(o: SimObject, key: string, what: string): number {
  const p = o.properties?.contained_properties?.find((x) => x.key === key)
  if (!p)
    throw new LoadtestError(
      'LOADTEST_FIXTURE_FAILED',
      `fixture: ${what} has no property "${key}"`,
      { exitCode: EXIT.SETUP_FAILED },
    )
  return p.id
}
function port(o: SimObject, name: string): number {
  const p = o.ports?.find((x) => x.name === name) ?? o.ports?.find((x) => x.direction === name)
  if (!p)
    throw new LoadtestError('LOADTEST_FIXTURE_FAILED', `fixture: the pump has no ${name} port`, {
      exitCode: EXIT.SETUP_FAILED,
    })
  return p.id
}

export async function createFixture(
  o: ClientOptions,
  now = Date.now(),
  name = `pump-fixture-${now}`,
): Promise<FixtureResult> {
  const sheet = await call<{ id: number }>(o, 'POST', '/api/flowsheets/', { name })
  const id = sheet.id
  const obj = (b: Record<string, unknown>) =>
    call<SimObject>(o, 'POST', '/api/unitops/simulationobjects/', { flowsheetOwner: id, ...b })
  const pump = await obj({ objectType: 'pump', componentName: 'Pump-1', x: 300, y: 200 })
  const s1 = await obj({
    objectType: 'stream',
    componentName: 'S1',
    destination: port(pump, 'inlet'),
  })
  const s2 = await obj({ objectType: 'stream', componentName: 'S2', source: port(pump, 'outlet') })
  const patch = (pid: number, b: Record<string, unknown>) =>
    call(o, 'PATCH', `/api/core/propertyinfo/${pid}/`, b)
  await patch(prop(s1, 'temperature', 'S1'), { value: 80, unit: 'degC', fixed: true })
  await patch(prop(s1, 'pressure', 'S1'), { value: 100, unit: 'kPa', fixed: true })
  await patch(prop(s1, 'flow_mol', 'S1'), { value: 1000, unit: 'mol/s', fixed: true })
  await patch(prop(pump, 'efficiency_pump', 'Pump-1'), {
    value: 0.5,
    unit: 'dimensionless',
    fixed: true,
  })
  await patch(prop(s2, 'pressure', 'S2'), { value: 200, unit: 'kPa', fixed: true })
  return {
    id,
    name,
    pumpId: pump.id,
    streams: [
      { id: s1.id, name: 'S1', role: 'inlet' },
      { id: s2.id, name: 'S2', role: 'outlet' },
    ],
    ports: { inlet: port(pump, 'inlet'), outlet: port(pump, 'outlet') },
  }
}

export async function deleteFixture(o: ClientOptions, id: number): Promise<void> {
  await call(o, 'DELETE', `/api/flowsheets/${id}/`)
}

/** Does the target answer at all? (GET /api/status/; any HTTP reply counts.) */
export async function preflight(url: string, timeoutMs = 5000): Promise<void> {
  const u = new URL('/api/status/', url).toString()
  try {
    const r = await fetch(u, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
    await r.arrayBuffer()
  } catch (e) {
    const cause = causeOf(e)
    throw new LoadtestError('LOADTEST_TARGET_UNREACHABLE', `${url} does not answer (${cause})`, {
      exitCode: EXIT.SETUP_FAILED,
      details: { field: 'url' },
    })
  }
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } })
    .cause
  return c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (e as Error).message
}
