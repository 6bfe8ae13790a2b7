import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../db/index.ts'
import { openTestSheet, statementCounter } from '../db/test-sheet.ts'
import { RunWriter, keptRunsFilter, type RunRow } from './run-writer.ts'

let database: Database
let user: number
let sheet: number
const counter = statementCounter()

beforeAll(async () => {
  ;({ database, user, sheet } = await openTestSheet())
})
afterAll(() => database.close())

const row = (over: Partial<RunRow> = {}): RunRow => ({
  flowsheetId: sheet,
  userId: user,
  version: 1,
  requireVersion: true,
  status: 'success',
  timing: { totalMs: 1 },
  error: null,
  resultJson: JSON.stringify({ status: 'success', note: 'quote " and \\ backslash, é' }),
  solverVersion: 'test',
  packageVersion: { helmholtz: 'x' },
  computed: { '7': 1.5 },
  ...over,
})

async function runs() {
  return database.db
    .selectFrom('solve_runs')
    .select(['id', 'status', 'result', 'computed', 'flowsheet_version'])
    .where('flowsheet_id', '=', sheet)
    .orderBy('id', 'desc')
    .execute()
}

describe('RunWriter', () => {
  it('stores the runs of solves under way together, each with its own id and reply', async () => {
    const db = database.db.withPlugin(counter)
    const writer = new RunWriter(db, 100)
    const tickets = Array.from({ length: 10 }, () => writer.expect())
    counter.count = 0
    const outcomes = await Promise.all(
      tickets.map(async (t, i) => {
        await new Promise((r) => setTimeout(r, i % 3)) // the solves finish at different times
        return writer.write(row({ resultJson: JSON.stringify({ n: i }) }), t)
      }),
    )
    const ids = outcomes.map((o) => ('id' in o ? o.id : -1))
    expect(new Set(ids).size).toBe(10)
    expect(Math.min(...ids)).toBeGreaterThan(0)
    expect(counter.count).toBeLessThan(10)
    const stored = await runs()
    for (const [i, id] of ids.entries())
      expect(stored.find((r) => r.id === id)?.result).toEqual({ n: i })
    await writer.close()
  })

  it('stores a lone run at once, text intact; refuses a changed or missing sheet', async () => {
    const writer = new RunWriter(database.db, 100)
    const t0 = performance.now()
    const one = await writer.write(row())
    expect(performance.now() - t0).toBeLessThan(1000)
    expect('id' in one).toBe(true)
    const stored = (await runs()).find((r) => 'id' in one && r.id === one.id)!
    expect(stored.result).toEqual({ status: 'success', note: 'quote " and \\ backslash, é' })
    expect(stored.computed).toEqual({ '7': 1.5 })
    expect(await writer.write(row({ version: 99 }))).toEqual({ missing: 'version' })
    expect(await writer.write(row({ version: 99, requireVersion: false }))).toHaveProperty('id')
    expect(await writer.write(row({ flowsheetId: 987654 }))).toEqual({ missing: 'sheet' })
    expect(await writer.write(row({ userId: user + 1000 }))).toEqual({ missing: 'sheet' })
    // mixed in one batch
    const mixed = await Promise.all([
      writer.write(row()),
      writer.write(row({ version: 99 })),
      writer.write(row({ flowsheetId: 987654 })),
    ])
    expect(mixed[0]).toHaveProperty('id')
    expect(mixed.slice(1)).toEqual([{ missing: 'version' }, { missing: 'sheet' }])
    await writer.close()
  })

  it('waits for announced solves only while they are under way', async () => {
    const writer = new RunWriter(database.db, 100, { maxWaitMs: 60_000 })
    // an announced solve that failed: its cancelled ticket holds nothing back
    writer.expect().cancel()
    const t0 = performance.now()
    expect(await writer.write(row())).toHaveProperty('id')
    expect(performance.now() - t0).toBeLessThan(5000)
    // a run waits for a solve still under way, and goes with it
    const late = writer.expect()
    let first: unknown
    const pending = writer.write(row()).then((o) => (first = o))
    await new Promise((r) => setTimeout(r, 50))
    expect(first).toBeUndefined()
    const second = await writer.write(row(), late)
    expect(await pending).toHaveProperty('id')
    expect(second).toHaveProperty('id')
    await writer.close()
  })

  it('prunes to the newest runs plus the newest successful one', async () => {
    const writer = new RunWriter(database.db, 3, { pruneEveryMs: 1 })
    const good = await writer.write(row())
    const failed = []
    for (let i = 0; i < 5; i++)
      failed.push(
        await writer.write(row({ status: 'error', computed: null, error: { code: 'X' } })),
      )
    await writer.close()
    const ids = (await runs()).map((r) => r.id)
    const want = [
      ...failed
        .slice(-3)
        .map((o) => ('id' in o ? o.id : 0))
        .reverse(),
      'id' in good ? good.id : 0,
    ]
    expect(ids).toEqual(want)
    // the history filter agrees with what pruning keeps
    const listed = await database.db
      .selectFrom('solve_runs')
      .select('id')
      .where('flowsheet_id', '=', sheet)
      .where(keptRunsFilter(sql.ref('id'), sheet, 3))
      .orderBy('id', 'desc')
      .execute()
    expect(listed.map((r) => r.id)).toEqual(want)
  })

  it('vacuums after enough pruned runs, so the table stops growing (PGlite has no autovacuum)', async () => {
    const size = async () =>
      Number(
        (
          await sql<{ n: string }>`select pg_total_relation_size('solve_runs') as n`.execute(
            database.db,
          )
        ).rows[0].n,
      )
    // replies that do not compress, as the table would hold them
    const reply = () => JSON.stringify({ streams: randomBytes(4500).toString('base64') })
    async function cycles(vacuumEvery: number) {
      const writer = new RunWriter(database.db, 3, { pruneEveryMs: 60_000, vacuumEvery })
      const sizes: number[] = []
      for (let c = 0; c < 5; c++) {
        for (let i = 0; i < 60; i++) await writer.write(row({ resultJson: reply() }))
        await writer.prune()
        sizes.push(await size())
      }
      await writer.close()
      return sizes
    }
    const kept = await cycles(50)
    // the space of pruned runs is reused: no growth after the first cycles
    expect(kept[4]).toBeLessThanOrEqual(kept[1] * 1.1)
    // without the vacuum every cycle adds its pruned runs to the table
    const grown = await cycles(0)
    expect(grown[4]).toBeGreaterThan(kept[4] + 3 * 60 * 1000)
  })
})
