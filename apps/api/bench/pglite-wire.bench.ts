/**
 * The embedded database's driver, side by side in one run: the same statements through
 *  - PGlite's own `query()` (what kysely-pglite-dialect called; the baseline), and
 *  - node-postgres over PGliteWire (apps/api/src/db/pglite-wire.ts; what the API uses),
 * on one in-memory PGlite with the API's schema: a parameterised select, the solve-run insert the
 * run writer issues for a lone run (a ~6 KiB JSON reply), and a small transaction.
 * Rounds alternate the two so that a slow phase of the machine hits both.
 * Run: node --import tsx apps/api/bench/pglite-wire.bench.ts [--n 2000] [--rounds 3]
 */
import { parseArgs } from 'node:util'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { Kysely, Migrator, PostgresDialect } from 'kysely'
import { migrations } from '../src/db/migrations/index.ts'
import { PGliteWire } from '../src/db/pglite-wire.ts'

const { values: args } = parseArgs({
  options: { n: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '3' } },
})
const N = Number(args.n)

// one in-memory PGlite with the API's schema (its migrations), which both drivers then use
const pglite = new PGlite()
await pglite.waitReady
const pool = new pg.Pool({ max: 1, stream: () => new PGliteWire(pglite) })
{
  const k = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) })
  const r = await new Migrator({
    db: k,
    provider: { getMigrations: async () => migrations },
  }).migrateToLatest()
  if (r.error) throw r.error
}
const user = (
  await pool.query<{ id: number }>(
    "insert into users (email, display_name) values ('bench@rere', 'b') returning id",
  )
).rows[0].id
const sheet = (
  await pool.query<{ id: number }>(
    "insert into flowsheets (owner_id, name) values ($1, 'bench') returning id",
    [user],
  )
).rows[0].id
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

async function time(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 100; i++) await fn()
  const t0 = performance.now()
  for (let i = 0; i < N; i++) await fn()
  return ((performance.now() - t0) * 1000) / N
}

const results = new Map<string, { query: number[]; wire: number[] }>()
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, fn] of cases) {
    const r = results.get(name) ?? { query: [], wire: [] }
    results.set(name, r)
    r.query.push(await time(() => fn(viaQuery)))
    r.wire.push(await time(() => fn(viaWire)))
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
console.log(
  `PGlite driver benchmark: ${N} statements per cell, median of ${args.rounds} alternating rounds, in memory`,
)
console.log('| statement | PGlite query() us | node-postgres over PGliteWire us | ratio |')
console.log('|---|---:|---:|---:|')
for (const [name, r] of results) {
  const q = median(r.query)
  const w = median(r.wire)
  console.log(`| ${name} | ${q.toFixed(0)} | ${w.toFixed(0)} | ${(q / w).toFixed(2)} |`)
}
await pool.end()
await pglite.close()
