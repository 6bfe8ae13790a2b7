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

/**
 * The pump fixture, through the public API only (the calls of docs/api.md "Fixture"): a
 * flowsheet (Helmholtz water), a pump (efficiency 0.5), its inlet stream S1 (80 degC, 100 kPa,
 * 1000 mol/s) and outlet stream S2 (200 kPa). One implementation, shared with the load-test
 * runner (`@rere/loadtest`), so `rere fixture` and every trial make the same calls.
 */
export async function createPumpFixture(api: ApiClient, name?: string) {
  const { createFixture } = await import('@rere/loadtest')
  const now = Date.now()
  return createFixture({ url: api.base, token: api.token }, now, name ?? `pump-fixture-${now}`)
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
