import type { Command } from 'commander'

/** A tiny JSON client of the Rere API for the command line (fixture, token). */
export class ApiClient {
  constructor(
    readonly base: string,
    readonly token?: string,
  ) {}

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (body !== undefined) headers['content-type'] = 'application/json'
    if (this.token) headers.authorization = `Bearer ${this.token}`
    const url = new URL(path, this.base.endsWith('/') ? this.base : this.base + '/').toString()
    let res: Response
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      })
    } catch (e) {
      throw new CliHttpError(
        `${method} ${url}: ${(e as Error).cause ?? (e as Error).message}`,
        0,
        null,
      )
    }
    const text = await res.text()
    let json: unknown = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = null
    }
    if (!res.ok)
      throw new CliHttpError(
        `${method} ${path} -> ${res.status} ${
          json && typeof json === 'object' && 'code' in json
            ? `${(json as { code: string }).code}: ${(json as { message?: string }).message ?? ''}`
            : text.slice(0, 200)
        }`,
        res.status,
        json,
      )
    return json as T
  }
}

export class CliHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message)
  }
}

/** --url / RERE_URL and --token / RERE_TOKEN. */
export async function clientFrom(
  o: { url?: string; token?: string },
  cmd: string,
): Promise<ApiClient> {
  const { loadClientConfig } = await import('@rere/api/config')
  const env = loadClientConfig(process.env)
  const url = o.url ?? env.url
  if (!url) {
    console.error(`${cmd}: --url is required (or RERE_URL)`)
    process.exit(2)
  }
  try {
    new URL(url)
  } catch {
    console.error(`${cmd}: --url ${url} is not a URL`)
    process.exit(2)
  }
  return new ApiClient(url, o.token ?? env.token)
}

interface Port {
  id: number
  name: string
  direction: 'inlet' | 'outlet'
}
interface PropertyInfo {
  id: number
  key: string
  unit: string
  value: number | null
}
interface SimObject {
  id: number
  componentName: string
  ports: Port[]
  properties: { id: number; contained_properties: PropertyInfo[] }
}

function prop(o: SimObject, key: string): PropertyInfo {
  const p = o.properties.contained_properties.find((c) => c.key === key)
  if (!p) throw new Error(`${o.componentName} has no property ${key}`)
  return p
}

function port(o: SimObject, direction: 'inlet' | 'outlet'): Port {
  const p = o.ports.find((x) => x.direction === direction)
  if (!p) throw new Error(`${o.componentName} has no ${direction} port`)
  return p
}

/**
 * The pump fixture, through the public API only (the calls of docs/api.md "Fixture"; k6 setup()
 * makes the same ones): a flowsheet (Helmholtz water), a pump (efficiency 0.5), its inlet stream S1
 * (80 degC, 100 kPa, 1000 mol/s) and outlet stream S2 (200 kPa).
 */
export async function createPumpFixture(api: ApiClient, name = `pump-fixture-${Date.now()}`) {
  const sheet = await api.call<{ id: number }>('POST', '/api/flowsheets/', { name })
  const pump = await api.call<SimObject>('POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: sheet.id,
    objectType: 'pump',
    componentName: 'Pump-1',
    x: 300,
    y: 200,
  })
  const s1 = await api.call<SimObject>('POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: sheet.id,
    objectType: 'stream',
    componentName: 'S1',
    destination: port(pump, 'inlet').id,
  })
  const s2 = await api.call<SimObject>('POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: sheet.id,
    objectType: 'stream',
    componentName: 'S2',
    source: port(pump, 'outlet').id,
  })
  const patches: [PropertyInfo, Record<string, unknown>][] = [
    [prop(s1, 'temperature'), { value: 80, unit: 'degC', fixed: true }],
    [prop(s1, 'pressure'), { value: 100, unit: 'kPa', fixed: true }],
    [prop(s1, 'flow_mol'), { value: 1000, unit: 'mol/s', fixed: true }],
    [prop(pump, 'efficiency_pump'), { value: 0.5, unit: 'dimensionless', fixed: true }],
    [prop(s2, 'pressure'), { value: 200, unit: 'kPa', fixed: true }],
  ]
  for (const [p, body] of patches) await api.call('PATCH', `/api/core/propertyinfo/${p.id}/`, body)
  return {
    id: sheet.id,
    name,
    pumpId: pump.id,
    streams: [
      { id: s1.id, name: 'S1', role: 'inlet' },
      { id: s2.id, name: 'S2', role: 'outlet' },
    ],
    ports: { inlet: port(pump, 'inlet').id, outlet: port(pump, 'outlet').id },
  }
}

async function run(cmd: string, f: () => Promise<unknown>): Promise<void> {
  try {
    const out = await f()
    if (out !== undefined) console.log(JSON.stringify(out))
  } catch (e) {
    console.error(`${cmd}: ${(e as Error).message}`)
    process.exit(1)
  }
}

/** `rere fixture create-pump|delete`: the load tests' pre- and post-trial scripts. */
export function register(program: Command): void {
  const fixture = program
    .command('fixture')
    .description(
      'create or delete the pump test flowsheet through the public API (load-test setup)',
    )
  fixture
    .command('create-pump')
    .description(
      'create a flowsheet with water (Helmholtz), a pump (efficiency 0.5, outlet 200 kPa) and its inlet (80 degC, 100 kPa, 1000 mol/s) and outlet streams; prints {"id": ...}',
    )
    .option('--url <url>', 'API base URL, e.g. http://127.0.0.1:8080 (default: RERE_URL)')
    .option('--token <token>', 'personal API token (default: RERE_TOKEN)')
    .option('--name <name>', 'flowsheet name (default pump-fixture-<timestamp>)')
    .action((o: { url?: string; token?: string; name?: string }) =>
      run('rere fixture create-pump', async () =>
        createPumpFixture(await clientFrom(o, 'rere fixture'), o.name),
      ),
    )
  fixture
    .command('delete')
    .description('delete a flowsheet (DELETE /api/flowsheets/{id}/); prints {"deleted": id}')
    .option('--url <url>', 'API base URL (default: RERE_URL)')
    .requiredOption('--id <id>', 'flowsheet id')
    .option('--token <token>', 'personal API token (default: RERE_TOKEN)')
    .action((o: { url?: string; id: string; token?: string }) =>
      run('rere fixture delete', async () => {
        if (!/^\d+$/.test(o.id)) throw new Error(`--id ${o.id} is not a flowsheet id`)
        const api = await clientFrom(o, 'rere fixture')
        await api.call('DELETE', `/api/flowsheets/${o.id}/`)
        return { deleted: Number(o.id) }
      }),
    )
}
