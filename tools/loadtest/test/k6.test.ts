import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { transform } from 'esbuild'
import { K6_SCRIPT_PATH, k6Script } from '../src/k6gen.ts'
import { loadScenario, parseDuration, scaleScenario, PROFILE_NAMES } from '../src/profiles.ts'

const root = fileURLToPath(new URL('../../..', import.meta.url))

interface Call {
  method: string
  url: string
  body: unknown
}

/** Evaluate the k6 script in Node with a recording fake of k6/http. */
async function load(env: Record<string, string>) {
  const src = readFileSync(K6_SCRIPT_PATH, 'utf8')
  const { code } = await transform(src, { loader: 'ts', format: 'cjs', target: 'es2022' })
  const calls: Call[] = []
  let callback: unknown
  let nextId = 1
  const reply = (method: string, url: string, body: string | null) => {
    const b = body ? JSON.parse(body) : null
    calls.push({ method, url, body: b })
    let out: unknown = {}
    if (url.endsWith('/api/flowsheets/')) out = { id: 42 }
    else if (url.endsWith('/api/unitops/simulationobjects/')) {
      const id = nextId++
      out = {
        id,
        ports: [
          { id: id * 10 + 1, name: 'inlet', direction: 'inlet' },
          { id: id * 10 + 2, name: 'outlet', direction: 'outlet' },
        ],
        properties: {
          contained_properties: ['temperature', 'pressure', 'flow_mol', 'efficiency_pump'].map(
            (key, i) => ({ id: id * 100 + i, key }),
          ),
        },
      }
    }
    return { status: method === 'DELETE' ? 204 : 200, body: JSON.stringify(out) }
  }
  const http = {
    request: (m: string, url: string, body: string | null) => reply(m, url, body),
    get: (url: string) => reply('GET', url, null),
    post: (url: string, body: string) => reply('POST', url, body),
    del: (url: string) => reply('DELETE', url, null),
    expectedStatuses: (o: unknown) => ({ expected: o }),
    setResponseCallback: (c: unknown) => (callback = c),
  }
  const mod: { exports: Record<string, unknown> } = { exports: {} }
  const req = (name: string) => {
    if (name === 'k6/http') return { default: http, __esModule: true }
    throw new Error(`unexpected import ${name}`)
  }
  new Function('module', 'exports', 'require', '__ENV', code)(mod, mod.exports, req, env)
  return {
    m: mod.exports as Record<string, (...a: unknown[]) => unknown> & {
      options: Record<string, unknown>
    },
    calls,
    callback: () => callback,
  }
}

describe('k6 script', () => {
  it('is the generator output for profiles/builtin.json', async () => {
    expect(readFileSync(K6_SCRIPT_PATH, 'utf8')).toBe(await k6Script())
  })

  it('type-checks with @types/k6 (tools/loadtest/k6/tsconfig.json)', () => {
    const r = spawnSync(
      process.execPath,
      [`${root}/node_modules/typescript/bin/tsc`, '-p', 'tools/loadtest/k6/tsconfig.json'],
      { cwd: root, encoding: 'utf8' },
    )
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  }, 60_000)

  it("has the runner's scenarios, base options and thresholds for every profile and endpoint", async () => {
    for (const profile of PROFILE_NAMES)
      for (const endpoint of ['uor', 'fs'] as const) {
        const { m } = await load({
          URL: 'http://h:1',
          ENDPOINT: endpoint,
          PROFILE: profile,
          RATE_SCALE: '2',
          TIME_SCALE: '0.1',
        })
        const o = m.options as {
          scenarios: Record<
            string,
            {
              stages: { duration: string; target: number }[]
              startRate: number
              executor: string
              gracefulStop: string
            }
          >
          thresholds?: unknown
        }
        const mine = scaleScenario(loadScenario(profile, endpoint).scenario, {
          rateScale: 2,
          timeScale: 0.1,
        })
        const k6 = o.scenarios[profile]
        expect(k6.executor).toBe('ramping-arrival-rate')
        expect(k6.startRate).toBe(mine.startRate)
        expect(k6.gracefulStop).toBe('30s')
        expect(k6.stages.map((s) => [parseDuration(s.duration), s.target])).toEqual(
          mine.stages.map((s) => [parseDuration(s.duration), s.target]),
        )
        expect(o).toMatchObject({
          insecureSkipTLSVerify: true,
          noConnectionReuse: true,
          discardResponseBodies: true,
          maxRedirects: 0,
        })
        if (profile === 'breakpoint')
          expect(o.thresholds).toEqual({ vus: [{ threshold: 'value<=100', abortOnFail: true }] })
        else expect(o.thresholds).toBeUndefined()
      }
  })

  it('setup() makes the fixture calls, default() hits the endpoint, teardown() deletes', async () => {
    const { m, calls, callback } = await load({
      URL: 'http://h:1/',
      ENDPOINT: 'fs',
      PROFILE: 'spike',
      TOKEN: 't',
    })
    expect(callback()).toEqual({ expected: { min: 200, max: 299 } })
    const data = m.setup() as { id: number }
    expect(data.id).toBe(42)
    expect(calls.map((c) => `${c.method} ${c.url.replace('http://h:1', '')}`)).toEqual([
      'POST /api/flowsheets/',
      'POST /api/unitops/simulationobjects/',
      'POST /api/unitops/simulationobjects/',
      'POST /api/unitops/simulationobjects/',
      'PATCH /api/core/propertyinfo/200/',
      'PATCH /api/core/propertyinfo/201/',
      'PATCH /api/core/propertyinfo/202/',
      'PATCH /api/core/propertyinfo/103/',
      'PATCH /api/core/propertyinfo/301/',
    ])
    expect(calls[1].body).toEqual({
      flowsheetOwner: 42,
      objectType: 'pump',
      componentName: 'Pump-1',
      x: 300,
      y: 200,
    })
    expect(calls[2].body).toMatchObject({
      objectType: 'stream',
      componentName: 'S1',
      destination: 11,
    })
    expect(calls[3].body).toMatchObject({ objectType: 'stream', componentName: 'S2', source: 12 })
    expect(calls[4].body).toEqual({ value: 80, unit: 'degC', fixed: true })
    calls.length = 0
    m.default(data)
    expect(calls).toEqual([
      { method: 'POST', url: 'http://h:1/api/solve/idaes/', body: { flowsheet_id: 42 } },
    ])
    calls.length = 0
    m.teardown({ ...data, created: true })
    expect(calls).toEqual([{ method: 'DELETE', url: 'http://h:1/api/flowsheets/42/', body: null }])
  })

  it('rejects an unknown profile or endpoint at init', async () => {
    await expect(load({ ENDPOINT: 'xx' })).rejects.toThrow(/unknown ENDPOINT/)
    await expect(load({ PROFILE: 'xx' })).rejects.toThrow(/unknown PROFILE/)
  })
})
