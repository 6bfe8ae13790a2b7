/**
 * The embedded database's driver, side by side in one run: the same statements through
 *  - PGlite's own `query()` on the API's thread (what kysely-pglite-dialect called; the
 *    baseline), and
 *  - node-postgres over PGliteWire to PGlite on its own thread (apps/api/src/db/pglite-wire.ts,
 *    pglite-host.ts), every statement unnamed (parsed and planned at every run), and
 *  - the same with the statements prepared by name from their third run (`pgliteClientClass`,
 *    what the API uses),
 * each on an in-memory PGlite with the API's schema: a parameterised select, the solve-run insert
 * the run writer issues for a lone run (a ~6 KiB JSON reply), and a small transaction. Printed
 * per statement: the wall time of statements run one after another, and the time the API's
 * thread was busy (its event loop's active time), which is what bounds the API's throughput.
 * Rounds alternate the two so that a slow phase of the machine hits both.
 * Run: node --import tsx apps/api/bench/pglite-wire.bench.ts [--n 2000] [--rounds 3]
 */
import { parseArgs } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { Kysely, PostgresDialect } from 'kysely'
import { runMigrations } from '../src/db/index.ts'
import { PGliteWire, pgliteClientClass } from '../src/db/pglite-wire.ts'
import { PGliteHost } from '../src/db/pglite-host.ts'

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' } },
})
const N = Number(args.n)

// the API's schema (its migrations) in a PGlite on its own thread; the baseline PGlite on this
// thread starts from a copy of that database
const host = await PGliteHost.start()
const pool = new pg.Pool({ max: 1, stream: () => new PGliteWire(host) })
const namedPool = new pg.Pool({ max: 1, Client: pgliteClientClass(host) })
await runMigrations(new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) }))
const pglite = new PGlite({
  loadDataDir: new Blob([await host.dump()], { type: 'application/x-gzip' }),
})
await pglite.waitReady
// the same user and sheet (ids 1) in both
for (const run of [
  (q: string, p?: unknown[]) => pool.query(q, p),
  (q: string, p?: unknown[]) => pglite.query(q, p),
]) {
  await run("insert into users (id, email, display_name) values (1, 'bench@rere', 'b')")
  await run("insert into flowsheets (id, owner_id, name) values (1, 1, 'bench')")
}
const user = 1
const sheet = 1
const reply = JSON.stringify({
  streams: Array.from({ length: 60 }, (_, i) => ({ i, t: 300 + Math.random(), name: `S${i}` })),
})
const INSERT = `insert into solve_runs (flowsheet_id, user_id, status, flowsheet_version, timing,
    error, result, solver_version, package_version, computed)
  select f.id, f.owner_id, $1, $2, $3, null, $4::json, $5, $6, $7
  from flowsheets f, set_config('synchronous_commit', 'off', true)
  where f.id = $8 and f.owner_id = $9 returning id`
const insertParams = [
  'success',
  1,
  '{"totalMs":1}',
  reply,
  'bench',
  '{"helmholtz":"1"}',
  '{"1":300.5,"2":101325}',
  sheet,
  user,
]

type Runner = (text: string, params?: unknown[]) => Promise<unknown>
const viaQuery: Runner = (text, params) => pglite.query(text, params)
const viaWire: Runner = (text, params) => pool.query(text, params)
const viaNamed: Runner = (text, params) => namedPool.query(text, params)
const tx = async (run: Runner) => {
  await run('begin')
  await run('update flowsheets set version = version + 1 where id = $1', [sheet])
  await run('select version from flowsheets where id = $1', [sheet])
  await run('commit')
}
const cases: [string, (run: Runner) => Promise<unknown>][] = [
  ['select $1 (one row)', (run) => run('select $1::int as x', [1])],
  ['solve-run insert (6 KiB reply)', (run) => run(INSERT, insertParams)],
  ['transaction (4 statements)', tx],
]

/** microseconds per call: wall time, and the time this thread's event loop was active */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; busy: number }> {
  for (let i = 0; i < 100; i++) await fn()
  const e0 = performance.eventLoopUtilization()
  const t0 = performance.now()
  for (let i = 0; i < N; i++) await fn()
  const wall = ((performance.now() - t0) * 1000) / N
  const e = performance.eventLoopUtilization(e0)
  return { wall, busy: (e.active * 1000) / N }
}

type Cell = { wall: number; busy: number }
const results = new Map<string, { query: Cell[]; wire: Cell[]; named: Cell[] }>()
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, fn] of cases) {
    const r = results.get(name) ?? { query: [], wire: [], named: [] }
    results.set(name, r)
    r.query.push(await time(() => fn(viaQuery)))
    r.wire.push(await time(() => fn(viaWire)))
    r.named.push(await time(() => fn(viaNamed)))
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(
  `PGlite driver benchmark: ${N} statements per cell, median of ${args.rounds} alternating rounds, in memory`,
)
console.log(
  '| statement | query() wall us | query() API-thread us | PGliteWire wall us | PGliteWire API-thread us | named wall us | named API-thread us |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|')
for (const [name, r] of results) {
  const f = (cells: Cell[], k: keyof Cell) => median(cells.map((c) => c[k])).toFixed(0)
  console.log(
    `| ${name} | ${f(r.query, 'wall')} | ${f(r.query, 'busy')} | ${f(r.wire, 'wall')} | ${f(r.wire, 'busy')} | ${f(r.named, 'wall')} | ${f(r.named, 'busy')} |`,
  )
}
await pool.end()
await namedPool.end()
await host.close()
await pglite.close()
