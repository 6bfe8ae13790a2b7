import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { openDatabase, type Database } from './index.ts'

const ALL = [
  '0001-users-tokens',
  '0002-flowsheets',
  '0003-indexed-properties',
  '0004-inlet-end-properties',
  '0005-computed-from-runs',
  '0006-unit-lines',
  '0007-run-compression',
  '0008-sheet-head',
]

describe('openDatabase (PGlite)', () => {
  let database: Database
  beforeAll(async () => {
    database = await openDatabase({})
  })
  afterAll(() => database.close())

  it('applies every migration once and reports none pending afterwards', async () => {
    expect(await database.pendingMigrations()).toEqual(ALL)
    expect(await database.migrate()).toEqual(ALL)
    expect(await database.pendingMigrations()).toEqual([])
    expect(await database.migrate()).toEqual([])
    await database.ping()
    expect(database.kind).toBe('pglite')
  })

  it('returns int8 ids as numbers and enforces the port/stream constraints', async () => {
    const { db } = database
    const u = await db
      .insertInto('users')
      .values({ email: 'a@example.com' })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect(typeof u.id).toBe('number')
    const fs = await db
      .insertInto('flowsheets')
      .values({ owner_id: u.id, name: 'x', expressions: JSON.stringify([]), meta: '{}' })
      .returning('id')
      .executeTakeFirstOrThrow()
    const obj = (type: string) =>
      db
        .insertInto('simulation_objects')
        .values({
          flowsheet_id: fs.id,
          object_type: type,
          component_name: type,
          x: 0,
          y: 0,
          args: '{}',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    const pump = await obj('pump')
    const s1 = await obj('stream')
    const ports = await db
      .insertInto('ports')
      .values([
        { flowsheet_id: fs.id, unit_id: pump.id, name: 'inlet', direction: 'inlet' },
        { flowsheet_id: fs.id, unit_id: pump.id, name: 'outlet', direction: 'outlet' },
      ])
      .returning(['id', 'direction'])
      .execute()
    await db.updateTable('ports').set({ stream_id: s1.id }).where('id', '=', ports[0].id).execute()
    // a second inlet for the same stream violates the unique (stream_id, direction)
    const pump2 = await obj('pump')
    const p2 = await db
      .insertInto('ports')
      .values({ flowsheet_id: fs.id, unit_id: pump2.id, name: 'inlet', direction: 'inlet' })
      .returning('id')
      .executeTakeFirstOrThrow()
    await expect(
      db.updateTable('ports').set({ stream_id: s1.id }).where('id', '=', p2.id).execute(),
    ).rejects.toThrow(/unique|duplicate/i)
    // deleting the stream disconnects; deleting the unit removes its ports
    await db.deleteFrom('simulation_objects').where('id', '=', s1.id).execute()
    const after = await db
      .selectFrom('ports')
      .select('stream_id')
      .where('id', '=', ports[0].id)
      .executeTakeFirstOrThrow()
    expect(after.stream_id).toBeNull()
    await db.deleteFrom('simulation_objects').where('id', '=', pump.id).execute()
    const left = await db.selectFrom('ports').select('id').where('unit_id', '=', pump.id).execute()
    expect(left).toEqual([])
  })

  it('prepares a statement with parameters by name from its third run, with the same answers', async () => {
    const { db } = database
    const named = () =>
      sql<{ statement: string }>`select statement from pg_prepared_statements`
        .execute(db)
        .then((r) => r.rows.map((x) => x.statement))
    const query = (id: number) =>
      db.selectFrom('users').select(['id', 'email']).where('id', '=', id)
    const read = (id: number) => query(id).execute()
    const text = query(1).compile().sql
    const first = await read(1)
    await read(1)
    expect(await named()).not.toContain(text)
    expect(await read(1)).toEqual(first)
    expect(await named()).toContain(text)
    expect(await read(1)).toEqual(first)
    expect(await read(-1)).toEqual([])
  })
})

describe('PGlite backup and restore', () => {
  it('dumps a data folder and restores it into another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rere-db-'))
    try {
      const a = await openDatabase({ dataDir: join(dir, 'a') })
      await a.migrate()
      await a.db.insertInto('users').values({ email: 'b@example.com' }).execute()
      await a.dumpTo!(join(dir, 'dump.tar.gz'))
      await a.close()
      const b = await openDatabase({ dataDir: join(dir, 'b') })
      await b.loadFrom!(join(dir, 'dump.tar.gz'))
      const c = await openDatabase({ dataDir: join(dir, 'b') })
      const users = await c.db.selectFrom('users').select('email').execute()
      expect(users).toEqual([{ email: 'b@example.com' }])
      expect(await c.pendingMigrations()).toEqual([])
      await c.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
