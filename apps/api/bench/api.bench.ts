/**
 * API benchmark (issue 4): requests/s and p50/p99 latency, measured with wrk on the same two cores,
 *  - GET /api/unitops/unitops/?flowsheetOwner= for a one-pump sheet and a 20-unit sheet,
 *  - POST /api/solve/idaes/ for the pump sheet (a real solve every request),
 *  - beside a bare Node http server answering the one-pump list's bytes as fixed JSON, and (for
 *    PostgreSQL) a minimal Fastify server answering them after the one query the list makes
 *    when its cached body is current (min-api-server.mjs),
 * through the embedded database (PGlite) and through PostgreSQL behind PgBouncer (transaction mode),
 * with keep-alive (16 connections and 1 connection) and with a new connection per request
 * (`Connection: close`, 16 concurrent), as the seed's k6 tests did.
 *
 * This machine's speed can change by half from one minute to the next, so the cells are measured in
 * rounds (`--rounds`, of `--duration` seconds each): every round runs every target and connection
 * mode once, the targets' order reversed every other round, and a cell reports the median of its
 * rounds (and the range of its p50s). A slow minute then falls on the targets alike instead of on
 * whichever ran during it.
 *
 * The API runs as `rere api` in its own process (AUTH_MODE=local, LOG_LEVEL=warn, rate limits off,
 * SOLVER_WORKERS=1; quick sheets solved in the API's thread, SOLVER_INLINE_MAX_MS=2, the default). The
 * baseline row "workers only" solves the same sheet in a second API with SOLVER_INLINE_MAX_MS=0,
 * running beside the first and measured in the same rounds.
 * For PostgreSQL the run also times sequential `select 1` round trips through PgBouncer (the floor
 * under a request that reads the database once).
 * Run:  node --import tsx apps/api/bench/api.bench.ts [--rounds 3] [--duration 2] [--db pglite,pgbouncer]
 *   [--no-baseline]
 *   env: PGBOUNCER_URL (default postgres://postgres@127.0.0.1:6432/test), DATABASE_URL (direct, for
 *   creating the scratch database and migrations; default postgres://postgres@127.0.0.1:5432/test).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { ApiClient, createPumpFixture } from '../../cli/src/commands/fixture.ts'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    db: { type: 'string', default: 'pglite,pgbouncer' },
    auth: { type: 'string', default: 'local' },
    'no-baseline': { type: 'boolean', default: false },
  },
})
const DURATION = Number(args.duration)
const ROUNDS = Math.max(1, Number(args.rounds))
const rere = fileURLToPath(new URL('../../cli/bin/rere.mjs', import.meta.url))
const bare = fileURLToPath(new URL('./bare-server.mjs', import.meta.url))
const minApi = fileURLToPath(new URL('./min-api-server.mjs', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'rere-bench-'))
const children: ChildProcess[] = []
const cleanups: (() => Promise<void>)[] = []

const outputs = new Map<ChildProcess, string>()

function startProcess(
  cmd: string[],
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, cmd, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (c: Buffer) => {
      out += c
      outputs.set(child, out.slice(-4000))
      const m = /"url":"(http:[^"]+)"|serving on (http:\S+)/.exec(out)
      if (m) resolve({ url: m[1] ?? m[2], child })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) =>
      reject(new Error(`${cmd.join(' ')} exited ${code}: ${out.slice(-2000)}`)),
    )
  })
}

async function waitReady(url: string, child: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`${url}/api/ready/`)
      if (r.status === 200) return
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  const last = await fetch(`${url}/api/ready/`).then((r) => r.text(), String)
  throw new Error(`${url} never became ready: ${last}\n${outputs.get(child) ?? ''}`)
}

interface WrkResult {
  rps: number
  p50: number
  p99: number
  errors: number
  requests: number
}

function ms(v: string, unit: string): number {
  const n = Number(v)
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60000 : n
}

function wrk(
  url: string,
  opts: { connections: number; close?: boolean; script?: string; duration?: number },
): Promise<WrkResult> {
  const a = [
    '-t',
    '1',
    '-c',
    String(opts.connections),
    '-d',
    `${opts.duration ?? DURATION}s`,
    '--latency',
    '--timeout',
    '10s',
  ]
  if (opts.close) a.push('-H', 'Connection: close')
  if (opts.script) a.push('-s', opts.script)
  a.push(url)
  return new Promise((resolve, reject) =>
    execFile('wrk', a, { encoding: 'utf8', timeout: 120_000 }, (err, stdout) => {
      if (err) return reject(err)
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN)
      const lat = (p: string) => {
        const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s|m)`).exec(stdout)
        return m ? ms(m[1], m[2]) : NaN
      }
      const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0)
      const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
        stdout,
      )
      const sockErr = sock ? sock.slice(1).reduce((s, x) => s + Number(x), 0) : 0
      const requests = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0)
      resolve({
        rps,
        p50: lat('50'),
        p99: lat('99'),
        errors: non2xx + (opts.close ? 0 : sockErr),
        requests,
      })
    }),
  )
}

/** 20 units: 10 pumps and 10 heaters in series, joined by 21 streams. */
async function twentyUnitSheet(api: ApiClient): Promise<number> {
  const sheet = await api.call<{ id: number }>('POST', '/api/flowsheets/', { name: 'bench-20' })
  let prevOutlet: number | null = null
  for (let i = 0; i < 20; i++) {
    const u = await api.call<{ id: number; ports: { id: number; direction: string }[] }>(
      'POST',
      '/api/unitops/simulationobjects/',
      {
        flowsheetOwner: sheet.id,
        objectType: i % 2 ? 'heater' : 'pump',
        componentName: `U${i + 1}`,
        x: 100 * i,
        y: 100,
      },
    )
    const inlet = u.ports.find((p) => p.direction === 'inlet')!.id
    await api.call('POST', '/api/unitops/simulationobjects/', {
      flowsheetOwner: sheet.id,
      objectType: 'stream',
      componentName: `S${i + 1}`,
      ...(prevOutlet === null ? {} : { source: prevOutlet }),
      destination: inlet,
    })
    prevOutlet = u.ports.find((p) => p.direction === 'outlet')!.id
  }
  await api.call('POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: sheet.id,
    objectType: 'stream',
    componentName: 'S21',
    source: prevOutlet,
  })
  return sheet.id
}

/** Sequential `select 1` round trips over one node-postgres connection, for DURATION seconds. */
async function roundTrips(url: string): Promise<WrkResult> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    for (let i = 0; i < 200; i++) await c.query('select 1')
    const times: number[] = []
    const end = performance.now() + DURATION * 1000
    while (performance.now() < end) {
      const t = performance.now()
      await c.query('select 1')
      times.push(performance.now() - t)
    }
    times.sort((a, b) => a - b)
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]
    return {
      rps: times.length / DURATION,
      p50: at(0.5),
      p99: at(0.99),
      errors: 0,
      requests: times.length,
    }
  } finally {
    await c.end()
  }
}

/** The owner of flowsheet `id` (read directly, for the minimal server's query). */
async function ownerOf(url: string, id: number): Promise<number> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    const r = await c.query<{ owner_id: string }>('select owner_id from flowsheets where id = $1', [
      id,
    ])
    return Number(r.rows[0].owner_id)
  } finally {
    await c.end()
  }
}

async function scratchPostgres(): Promise<{ url: string; direct: string }> {
  const direct = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const bouncer = process.env.PGBOUNCER_URL ?? 'postgres://postgres@127.0.0.1:6432/test'
  const name = `rere_bench_${process.pid}`
  const admin = new pg.Client({ connectionString: direct })
  await admin.connect()
  await admin.query(`drop database if exists ${name} with (force)`)
  await admin.query(`create database ${name}`)
  await admin.end()
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: direct })
    await c.connect()
    await c.query(`drop database if exists ${name} with (force)`)
    await c.end()
  })
  const withDb = (u: string) => Object.assign(new URL(u), { pathname: `/${name}` }).toString()
  return { url: withDb(bouncer), direct: withDb(direct) }
}

interface Row {
  db: string
  target: string
  mode: string
  /** medians over the rounds (errors: their sum) */
  r: WrkResult
  /** the lowest and highest p50 of the rounds */
  p50Range: [number, number]
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** One cell's rounds as one row: the median of each figure, the sum of the errors. */
function combine(runs: WrkResult[]): Pick<Row, 'r' | 'p50Range'> {
  const p50s = runs.map((x) => x.p50)
  return {
    r: {
      rps: median(runs.map((x) => x.rps)),
      p50: median(p50s),
      p99: median(runs.map((x) => x.p99)),
      errors: runs.reduce((n, x) => n + x.errors, 0),
      requests: runs.reduce((n, x) => n + x.requests, 0),
    },
    p50Range: [Math.min(...p50s), Math.max(...p50s)],
  }
}

async function benchDb(db: 'pglite' | 'pgbouncer', rows: Row[]) {
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_MODE: 'local',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '0',
    RATE_LIMIT_SOLVE_MAX: '0',
    SOLVER_WORKERS: '1',
    DATA_DIR: join(work, `data-${db}`),
    DATABASE_URL: '',
    DATABASE_DIRECT_URL: '',
    SOLVER_URL: '',
  }
  if (db === 'pgbouncer') {
    const pgUrls = await scratchPostgres()
    Object.assign(env, {
      DATABASE_URL: pgUrls.url,
      DATABASE_DIRECT_URL: pgUrls.direct,
      MIGRATE_ON_START: 'true',
      DATABASE_POOL_MAX: '10',
    })
  }
  const api = await startProcess([rere, 'api'], env)
  await waitReady(api.url, api.child)
  let token: string | undefined
  const local = new ApiClient(api.url)
  if (args.auth === 'token')
    token = (await local.call<{ token: string }>('POST', '/api/tokens/', { name: 'bench' })).token
  const client = new ApiClient(api.url, token)
  const pump = await createPumpFixture(client, 'bench-pump')
  const twenty = await twentyUnitSheet(client)
  const listPump = `${api.url}/api/unitops/unitops/?flowsheetOwner=${pump.id}`
  const list20 = `${api.url}/api/unitops/unitops/?flowsheetOwner=${twenty}`
  const onePumpBody = await (
    await fetch(listPump, { headers: token ? { authorization: `Bearer ${token}` } : {} })
  ).text()
  const bodyFile = join(work, 'one-pump.json')
  writeFileSync(bodyFile, onePumpBody)
  const bareSrv = await startProcess([bare, bodyFile], {})
  // PostgreSQL: the least a list answered from the database can cost (min-api-server.mjs)
  const minimal =
    db === 'pgbouncer'
      ? await startProcess([minApi], {
          DATABASE_URL: env.DATABASE_URL,
          BODY_FILE: bodyFile,
          FLOWSHEET_ID: String(pump.id),
          OWNER_ID: String(await ownerOf(env.DATABASE_DIRECT_URL, pump.id)),
        })
      : undefined
  const headerLua = token ? `wrk.headers["Authorization"] = "Bearer ${token}"\n` : ''
  const getScript = join(work, 'get.lua')
  writeFileSync(getScript, headerLua)
  /** a wrk script that POSTs a solve of sheet `id` */
  const solveScript = (name: string, id: number) => {
    const file = join(work, name)
    writeFileSync(
      file,
      `${headerLua}wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = '{"flowsheet_id":${id}}'\n`,
    )
    return file
  }
  const check = await fetch(`${api.url}/api/solve/idaes/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ flowsheet_id: pump.id }),
  })
  if (check.status !== 200)
    throw new Error(`solve check failed: ${check.status} ${await check.text()}`)
  console.error(
    `${db}: api ${api.url}, one-pump list ${onePumpBody.length} bytes, 20-unit list ${(await (await fetch(list20)).text()).length} bytes`,
  )

  // the same solve with every solve on the worker thread (SOLVER_INLINE_MAX_MS=0), as before
  // quick sheets were solved in the API's thread: a second API, measured in the same rounds
  const base = args['no-baseline']
    ? undefined
    : await startProcess([rere, 'api'], {
        ...env,
        SOLVER_INLINE_MAX_MS: '0',
        ...(db === 'pglite' ? { DATA_DIR: join(work, `data-${db}-workers`) } : {}),
      })
  let basePumpId: number | undefined
  if (base) {
    await waitReady(base.url, base.child)
    basePumpId = (await createPumpFixture(new ApiClient(base.url, token), 'bench-pump-workers')).id
  }

  const targets: [string, string, string][] = [
    ['bare node http (fixed JSON)', bareSrv.url + '/', getScript],
    ...(minimal
      ? [['minimal Fastify + 1 query', minimal.url + '/', getScript] as [string, string, string]]
      : []),
    ['GET unitops, 1 pump', listPump, getScript],
    ['GET unitops, 20 units', list20, getScript],
    ['POST solve, pump', `${api.url}/api/solve/idaes/`, solveScript('solve.lua', pump.id)],
    ...(base && basePumpId !== undefined
      ? [
          [
            'POST solve, pump, workers only',
            `${base.url}/api/solve/idaes/`,
            solveScript('solve-workers.lua', basePumpId),
          ] as [string, string, string],
        ]
      : []),
  ]
  const modes: [string, { connections: number; close?: boolean }][] = [
    ['keep-alive c16', { connections: 16 }],
    ['keep-alive c1', { connections: 1 }],
    ['new conn c16', { connections: 16, close: true }],
  ]
  const report = (target: string, mode: string, c: Pick<Row, 'r' | 'p50Range'>) => {
    rows.push({ db, target, mode, ...c })
    const { r } = c
    console.error(
      `  ${target.padEnd(30)} ${mode.padEnd(15)} ${r.rps.toFixed(0).padStart(7)} rps  p50 ${r.p50.toFixed(2)} ms (${c.p50Range.map((x) => x.toFixed(2)).join('-')})  p99 ${r.p99.toFixed(2)} ms${r.errors ? `  errors ${r.errors}` : ''}`,
    )
  }
  // one warm-up second per target; then the rounds, each over every target and connection mode
  // (the order of the targets reversed every other round), so that a slow minute of the machine
  // falls on all of them alike; each cell reports the median of its rounds
  for (const [, url, script] of targets) await wrk(url, { connections: 16, script, duration: 1 })
  const runs = new Map<string, WrkResult[]>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const [target, url, script] of round % 2 ? [...targets].reverse() : targets)
      for (const [mode, o] of modes) {
        const key = `${target}\0${mode}`
        runs.set(key, [...(runs.get(key) ?? []), await wrk(url, { ...o, script })])
      }
    console.error(`  ${db}: round ${round + 1} of ${ROUNDS} done`)
  }
  for (const [target] of targets)
    for (const [mode] of modes) report(target, mode, combine(runs.get(`${target}\0${mode}`)!))
  for (const c of [
    api.child,
    bareSrv.child,
    ...(minimal ? [minimal.child] : []),
    ...(base ? [base.child] : []),
  ]) {
    c.kill('SIGTERM')
    await new Promise((r) => c.once('exit', r))
  }
  if (db === 'pgbouncer') {
    // the floor under every PostgreSQL-backed request: one round trip through PgBouncer
    const trips: WrkResult[] = []
    for (let round = 0; round < ROUNDS; round++) trips.push(await roundTrips(env.DATABASE_URL))
    report('select 1 via PgBouncer (pg client)', 'sequential c1', combine(trips))
  }
}

const rows: Row[] = []
const loadStart = loadavg()[0].toFixed(1)
try {
  for (const db of args.db!.split(',') as ('pglite' | 'pgbouncer')[]) await benchDb(db, rows)
} finally {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const c of cleanups) await c().catch(() => {})
  rmSync(work, { recursive: true, force: true })
}

const head = [
  'database',
  'target',
  'connections',
  'req/s',
  'p50 ms',
  'p50 range',
  'p99 ms',
  'errors',
]
const table = rows.map((x) => [
  x.db,
  x.target,
  x.mode,
  x.r.rps.toFixed(0),
  x.r.p50.toFixed(2),
  x.p50Range.map((v) => v.toFixed(2)).join('-'),
  x.r.p99.toFixed(2),
  String(x.r.errors),
])
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)))
const line = (r: string[]) =>
  '| ' + r.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |'
console.log(
  `\nAPI benchmark: wrk, 1 thread, medians of ${ROUNDS} interleaved rounds of ${DURATION} s per cell, auth ${args.auth}, ${cpus().length} CPUs, load average ${loadStart} at start, ${loadavg()[0].toFixed(1)} at end, ${new Date().toISOString()}`,
)
console.log(line(head))
console.log(
  '|' +
    widths.map((w, i) => (i >= 3 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') +
    '|',
)
for (const r of table) console.log(line(r))
