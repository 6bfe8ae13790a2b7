#!/usr/bin/env node
// `npm test`: every test of the project, in order.
//  1. unit + web component tests (Vitest projects `unit`, `web`), then `timing` (tests whose
//     subject is timing, one file at a time)
//  2. the integration suite (`int`) once per database: PGlite, PostgreSQL, PostgreSQL behind
//     PgBouncer in transaction mode (DB_VARIANT = pglite | postgres | pgbouncer)
//  3. browser and end-to-end specs (`e2e`) with Debian's Chromium
// Outside CI a variant whose service is missing is skipped with a warning; with CI=true it fails.
// Extra arguments are passed to every Vitest run (e.g. `npm test -- -t pump`).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const CI = process.env.CI === 'true' || process.env.CI === '1'
const extra = process.argv.slice(2)
const only = process.env.RERE_TEST_STAGES?.split(',') // e.g. RERE_TEST_STAGES=unit,int
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const PGBOUNCER_URL = process.env.PGBOUNCER_URL ?? 'postgres://postgres@127.0.0.1:6432/test'
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

function reachable(url) {
  const u = new URL(url)
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || 5432) })
    s.setTimeout(2000)
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
    s.once('timeout', () => (s.destroy(), resolve(false)))
  })
}

const out = mkdtempSync(join(tmpdir(), 'rere-test-'))
let passed = 0
let failed = 0
let skipped = 0
const problems = []

function vitest(label, projects, env = {}) {
  const report = join(out, `${label}.json`)
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p])]
  args.push(
    '--passWithNoTests',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...extra,
  )
  console.log(`\n=== ${label}: npx ${args.join(' ')}`)
  const r = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, ...env } })
  if (existsSync(report)) {
    const j = JSON.parse(readFileSync(report, 'utf8'))
    passed += j.numPassedTests
    failed += j.numFailedTests
    skipped += j.numPendingTests + (j.numTodoTests ?? 0)
    if (j.numTotalTests === 0 && r.status === 0) console.log(`(${label}: no tests yet)`)
  }
  if (r.status !== 0) problems.push(`${label} exited ${r.status}`)
}

function skip(label, why) {
  if (CI) {
    problems.push(`${label}: ${why} (CI=true: a missing service is a failure)`)
    console.error(`\n=== ${label}: FAILED: ${why}`)
  } else console.warn(`\n=== ${label}: skipped: ${why}`)
}

const want = (stage) => !only || only.includes(stage)

if (want('unit')) vitest('unit', ['unit', 'web'], { RERE_TEST_STAGE: 'unit' })
if (want('timing')) vitest('timing', ['timing'])
if (want('int')) {
  vitest('int-pglite', ['int'], { DB_VARIANT: 'pglite' })
  if (await reachable(DATABASE_URL))
    vitest('int-postgres', ['int'], { DB_VARIANT: 'postgres', DATABASE_URL })
  else skip('int-postgres', `PostgreSQL not reachable at ${DATABASE_URL}`)
  if (await reachable(PGBOUNCER_URL))
    vitest('int-pgbouncer', ['int'], {
      DB_VARIANT: 'pgbouncer',
      PGBOUNCER_URL,
      DATABASE_URL: PGBOUNCER_URL,
      DATABASE_DIRECT_URL: DATABASE_URL,
    })
  else
    skip(
      'int-pgbouncer',
      `PgBouncer not reachable at ${PGBOUNCER_URL} (scripts/pgbouncer.sh starts one)`,
    )
}
if (want('e2e')) {
  if (existsSync(CHROMIUM)) vitest('e2e', ['e2e'], { CHROMIUM_PATH: CHROMIUM })
  else skip('e2e', `Chromium not found at ${CHROMIUM} (apt-get install chromium)`)
}

console.log(`\n${problems.length ? 'FAILED: ' + problems.join('; ') : 'all stages passed'}`)
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(problems.length || failed ? 1 : 0)
