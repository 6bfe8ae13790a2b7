import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import type { Database } from '../db/index.ts'
import { openTestSheet, statementCounter } from '../db/test-sheet.ts'
import { ObjectListCache, sheetHead } from './unitop.repository.ts'

let database: Database
let user: number
let sheet: number
const counter = statementCounter()

beforeAll(async () => {
  ;({ database, user, sheet } = await openTestSheet())
  const { db } = database
  await db
    .insertInto('simulation_objects')
    .values({
      flowsheet_id: sheet,
      object_type: 'pump',
      component_name: 'P',
      x: 0,
      y: 0,
      args: '{}',
    })
    .execute()
})
afterAll(() => database.close())

describe('ObjectListCache over a shared database (freshness asked every read)', () => {
  it('lets concurrent readers of one sheet share freshness checks', async () => {
    const db = database.db.withPlugin(counter)
    const cache = new ObjectListCache()
    expect(JSON.parse((await cache.get(db, user, sheet, 'units'))!)[0].componentName).toBe('P')
    counter.count = 0
    const bodies = await Promise.all(
      Array.from({ length: 20 }, () => cache.get(db, user, sheet, 'units')),
    )
    expect(new Set(bodies).size).toBe(1)
    // one check running, one queued behind it for everyone who came later
    expect(counter.count).toBeLessThanOrEqual(3)
    expect(counter.count).toBeGreaterThanOrEqual(1)
    // another user shares nothing: not theirs
    expect(await cache.get(db, user + 1000, sheet, 'units')).toBeUndefined()
  })

  it('answers every reader from a check that started after its request', async () => {
    const db = database.db
    const cache = new ObjectListCache()
    await cache.get(db, user, sheet, 'units')
    const first = cache.get(db, user, sheet, 'units') // its check starts now
    // a write (with the version bump every API write makes) before the next reader arrives
    await db
      .updateTable('simulation_objects')
      .set({ component_name: 'Q' })
      .where('flowsheet_id', '=', sheet)
      .execute()
    await db
      .updateTable('flowsheets')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', sheet)
      .execute()
    const second = cache.get(db, user, sheet, 'units')
    expect(['P', 'Q']).toContain(JSON.parse((await first)!)[0].componentName)
    expect(JSON.parse((await second)!)[0].componentName).toBe('Q')
  })

  it('rebuilds a list after a new solve run of its sheet, and only then', async () => {
    const db = database.db.withPlugin(counter)
    const cache = new ObjectListCache()
    await cache.get(db, user, sheet, 'units')
    counter.count = 0
    await cache.get(db, user, sheet, 'units')
    expect(counter.count).toBe(1) // the freshness check alone
    const before = await sheetHead(database.db, user, sheet)
    const run = await database.db
      .insertInto('solve_runs')
      .values({
        flowsheet_id: sheet,
        status: 'error',
        flowsheet_version: before!.version,
        timing: '{}',
        error: sql<string>`null`,
        result: sql<string>`null`,
        package_version: sql<string>`null`,
        computed: sql<string>`null`,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(await sheetHead(database.db, user, sheet)).toEqual({
      version: before!.version,
      run: run.id,
    })
    counter.count = 0
    await cache.get(db, user, sheet, 'units')
    expect(counter.count).toBe(2) // the check, then the list again
    counter.count = 0
    await cache.get(db, user, sheet, 'units')
    expect(counter.count).toBe(1)
  })
})

describe('sheetHead', () => {
  it("answers the owner's sheet only, and refuses ids that are not integers", async () => {
    const head = await sheetHead(database.db, user, sheet)
    expect(head).toMatchObject({ version: expect.any(Number) })
    expect(await sheetHead(database.db, user + 1000, sheet)).toBeUndefined()
    expect(await sheetHead(database.db, user, sheet + 1000)).toBeUndefined()
    await expect(sheetHead(database.db, user, 1.5)).rejects.toThrow(TypeError)
    await expect(sheetHead(database.db, Number.NaN, sheet)).rejects.toThrow(TypeError)
  })
})
