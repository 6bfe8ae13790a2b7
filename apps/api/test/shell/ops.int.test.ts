/** Operations: liveness, readiness (before/after migrations), metrics, request ids, HTTP hygiene. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness.ts'
import { createFakeSolver, type FakeSolver } from '../fake-solver.ts'

/** A strict check of the Prometheus text exposition format (0.0.4). */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>()
  const types = new Map<string, string>()
  const lines = text.split('\n')
  expect(lines.at(-1)).toBe('')
  for (const line of lines.slice(0, -1)) {
    if (line === '') continue
    if (line.startsWith('# HELP ')) {
      expect(line).toMatch(/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/)
      continue
    }
    if (line.startsWith('# TYPE ')) {
      const m =
        /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
      expect(m, line).not.toBeNull()
      types.set(m![1], m![2])
      continue
    }
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( -?\d+)?$/.exec(
        line,
      )
    expect(m, `bad sample line: ${line}`).not.toBeNull()
    const family = m![1].replace(/_(bucket|sum|count|total|created)$/, '')
    expect(types.has(m![1]) || types.has(family), `no TYPE for ${m![1]}`).toBe(true)
    samples.set(m![1] + (m![2] ?? ''), Number(m![3]))
  }
  return samples
}

describe('readiness follows migrations and the database', () => {
  it('is 503 with the pending migrations named, 200 after migrate, 503 without a database', async () => {
    const t = await createTestApp({ solver: createFakeSolver(), migrate: false })
    try {
      const live = await t.inject({ url: '/api/status/' })
      expect(live.statusCode).toBe(200)
      expect(live.json()).toEqual({ status: 'ok', version: expect.any(String) })
      const before = await t.inject({ url: '/api/ready/' })
      expect(before.statusCode).toBe(503)
      expect(before.json().reasons[0]).toMatch(/^migrations pending: 0001/)
      await t.database.migrate()
      const after = await t.inject({ url: '/api/ready/' })
      expect(after.statusCode).toBe(200)
      expect(after.json()).toEqual({ status: 'ready' })
      // the database goes away: liveness stays up, readiness goes down
      await t.database.close()
      expect((await t.inject({ url: '/api/status/' })).statusCode).toBe(200)
      const gone = await t.inject({ url: '/api/ready/' })
      expect(gone.statusCode).toBe(503)
      expect(gone.json().reasons[0]).toMatch(/^database/)
      t.app.rere.readiness.shuttingDown = true
      expect((await t.inject({ url: '/api/ready/' })).json().reasons).toEqual(['shutting down'])
    } finally {
      await t.close()
    }
  })
})

describe('shell', () => {
  let t: TestApp
  let solver: FakeSolver
  beforeAll(async () => {
    solver = createFakeSolver()
    t = await createTestApp({
      solver,
      env: {
        BODY_LIMIT_BYTES: '4096',
        RATE_LIMIT_MAX: '30',
        RATE_LIMIT_SOLVE_MAX: '3',
        RATE_LIMIT_WINDOW_MS: '60000',
      },
      defaultMetrics: true,
      configure: (app) => {
        app.post('/api/test/echo/', async (req) => ({ body: req.body ?? null }))
        app.get('/api/test/boom/', async () => {
          throw new Error('secret connection string postgres://u:p@db')
        })
        app.get('/api/test/solve/', async (req) => {
          await app.rere.solver.solve({}, { requestId: req.id })
          return { ok: true }
        })
      },
    })
  })
  afterAll(() => t?.close())
  const alice = () => t.user('alice@example.test')

  it('is ready after warm-up: one query and one catalogue call', async () => {
    const r = await t.inject({ url: '/api/ready/' })
    expect(r.statusCode).toBe(200)
    expect(solver.calls.some((c) => c.op === 'catalogue')).toBe(true)
    expect(t.app.rere.readiness.warmed).toBe(true)
  })

  it('warms the main routes as user 0 without leaving data behind; the warm-up secret stays inside', async () => {
    const flowsheets = await t.database.db.selectFrom('flowsheets').select('id').execute()
    expect(flowsheets).toEqual([])
    const forged = await t.inject({ url: '/api/me/', headers: { 'x-rere-warmup': 'guess' } })
    expect(forged.statusCode).toBe(401)
    const s = await t.inject({ url: '/metrics' })
    expect(s.body).toMatch(/route="\/api\/unitops\/unitops\/",status="404"/)
  })

  it('echoes a sane x-request-id, generates one otherwise, and passes it to the solver', async () => {
    const a = await alice().inject({
      url: '/api/test/solve/',
      headers: { 'x-request-id': 'trace-42' },
    })
    expect(a.headers['x-request-id']).toBe('trace-42')
    expect(solver.calls.at(-1)?.opts?.requestId).toBe('trace-42')
    const b = await alice().inject({
      url: '/api/me/',
      headers: { 'x-request-id': 'bad id\u00e9"<>' },
    })
    expect(b.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('answers malformed JSON, wrong content types and big bodies with 4xx JSON', async () => {
    const post = (payload: string, type = 'application/json') =>
      alice().inject({
        method: 'POST',
        url: '/api/test/echo/',
        payload,
        headers: { 'content-type': type },
      })
    const bad = await post('{"a":')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'API_BAD_JSON', details: { field: 'body' } })
    const deep = await post('['.repeat(1000) + ']'.repeat(1000))
    expect(deep.statusCode).toBe(400)
    expect(deep.json().code).toBe('API_BAD_JSON')
    const huge = await post('{"x":{"y":[1,2,1e999]}}')
    expect(huge.statusCode).toBe(400)
    expect(huge.json().details.field).toBe('x.y[2]')
    const proto = await post('{"__proto__":{"admin":true}}')
    expect(proto.statusCode).toBe(400)
    const text = await post('{"a":1}', 'text/plain')
    expect(text.statusCode).toBe(415)
    expect(text.json().code).toBe('API_UNSUPPORTED_MEDIA_TYPE')
    const form = await post('a=1', 'application/x-www-form-urlencoded')
    expect(form.statusCode).toBe(415)
    const big = await post(JSON.stringify({ s: 'x'.repeat(5000) }))
    expect(big.statusCode).toBe(413)
    expect(big.json()).toMatchObject({ code: 'API_BODY_TOO_LARGE', details: { field: 'body' } })
    const ok = await post('{"a":[1,"\u00e9"]}', 'application/json; charset=utf-8')
    expect(ok.json()).toEqual({ body: { a: [1, '\u00e9'] } })
    const empty = await post('')
    expect(empty.json()).toEqual({ body: null })
  })

  it('masks 5xx errors', async () => {
    const r = await alice().inject({ url: '/api/test/boom/' })
    expect(r.statusCode).toBe(500)
    expect(r.json()).toEqual({
      statusCode: 500,
      code: 'INTERNAL',
      message: 'Internal error',
      details: {},
    })
  })

  it('answers unknown routes and bad URLs with 404 / 400 JSON carrying a request id', async () => {
    for (const url of ['/api/nope/', '/nope', '/api/flowsheets/x/y/z/w/', '/%zz'])
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const r = await alice().inject({ method, url })
        expect([400, 404]).toContain(r.statusCode)
        expect(r.headers['content-type']).toMatch(/^application\/json/)
        expect(r.json().code).toMatch(/^API_(NOT_FOUND|BAD_REQUEST)$/)
        expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
      }
  })

  it('serves the OpenAPI document and the docs UI without sign-on', async () => {
    const j = await t.inject({ url: '/api/docs/json' })
    expect(j.statusCode).toBe(200)
    const doc = j.json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/tokens/', '/api/me/', '/api/status/']),
    )
    const ui = await t.inject({ url: '/api/docs' })
    expect([200, 302]).toContain(ui.statusCode)
  })

  it('rate-limits per user with 429 JSON (and never limits status/ready/metrics)', async () => {
    const bob = t.user('bob@example.test')
    const codes: number[] = []
    for (let i = 0; i < 32; i++) codes.push((await bob.inject({ url: '/api/me/' })).statusCode)
    expect(codes.slice(0, 30).every((c) => c === 200)).toBe(true)
    const last = await bob.inject({ url: '/api/me/' })
    expect(last.statusCode).toBe(429)
    expect(last.json().code).toBe('API_RATE_LIMITED')
    expect((await alice().inject({ url: '/api/me/' })).statusCode).toBe(200)
    for (let i = 0; i < 35; i++)
      expect((await t.inject({ url: '/api/status/' })).statusCode).toBe(200)
  })

  it('limits solves separately (RATE_LIMIT_SOLVE_MAX)', async () => {
    const carol = t.user('carol@example.test')
    const solve = () =>
      carol.inject({ method: 'POST', url: '/api/solve/idaes/', payload: { flowsheet_id: 999999 } })
    for (let i = 0; i < 3; i++) expect((await solve()).statusCode).toBe(404)
    const limited = await solve()
    expect(limited.statusCode).toBe(429)
    expect(limited.json().code).toBe('API_RATE_LIMITED')
    expect((await carol.inject({ url: '/api/me/' })).statusCode).toBe(200)
  })

  it('exposes Prometheus metrics that parse: requests by route/status, durations, pool, solver, event loop', async () => {
    await alice().inject({ url: '/api/test/solve/' })
    const r = await t.inject({ url: '/metrics' })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/^text\/plain/)
    const s = parsePrometheus(r.body)
    expect(
      s.get('rere_http_requests_total{method="GET",route="/api/me/",status="200"}'),
    ).toBeGreaterThan(0)
    expect(
      s.get('rere_http_requests_total{method="GET",route="/api/me/",status="429"}'),
    ).toBeGreaterThan(0)
    expect(
      s.get('rere_http_request_duration_seconds_count{method="GET",route="/api/me/",status="200"}'),
    ).toBeGreaterThan(0)
    expect(
      s.get('rere_solver_call_duration_seconds_count{op="solve",outcome="success"}'),
    ).toBeGreaterThan(0)
    expect(s.has('rere_db_pool_connections{state="in_use"}')).toBe(true)
    expect(s.has('rere_db_pool_connections{state="waiting"}')).toBe(true)
    expect(s.get('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0)
    expect(s.get('process_resident_memory_bytes')).toBeGreaterThan(0)
    expect(
      [...s.keys()].some((k) =>
        k.startsWith('rere_http_requests_total{method="GET",route="unmatched"'),
      ),
    ).toBe(true)
  })
})
