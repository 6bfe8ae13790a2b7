/**
 * Migrations on the current DB_VARIANT: several migrators at once (pods starting together) apply
 * each migration exactly once; on Postgres they run over the direct URL (PgBouncer variant: the
 * app's pool goes through PgBouncer, the migration lock needs a real session).
 */
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { migrations } from '../../src/db/migrations/index.ts'
import { openDatabase, type Database } from '../../src/db/index.ts'
import { createScratchDatabase, dbVariant } from '../harness.ts'

describe('migrations', () => {
  it('are applied once by concurrent migrators, then none are pending', async () => {
    const variant = dbVariant()
    const all = Object.keys(migrations)
    if (variant === 'pglite') {
      const db = await openDatabase({})
      try {
        const runs = await Promise.all([db.migrate(), db.migrate(), db.migrate()])
        expect(runs.flat().sort()).toEqual([...all].sort())
        expect(await db.pendingMigrations()).toEqual([])
        // PGlite has no lz4: the migration leaves the default compression
        const c = await sql<{ method: string }>`select attcompression as method from pg_attribute
          where attrelid = 'solve_runs'::regclass and attname = 'result'`.execute(db.db)
        expect(c.rows[0].method).toBe('')
      } finally {
        await db.close()
      }
      return
    }
    const scratch = await createScratchDatabase(variant)
    const dbs: Database[] = []
    try {
      for (let i = 0; i < 4; i++)
        dbs.push(
          await openDatabase({
            databaseUrl: scratch.databaseUrl,
            directUrl: scratch.directUrl,
            poolMax: 2,
          }),
        )
      expect(await dbs[0].pendingMigrations()).toEqual(all)
      const runs = await Promise.all(dbs.map((d) => d.migrate()))
      // every migration applied by exactly one of them
      expect(runs.flat().sort()).toEqual([...all].sort())
      for (const d of dbs) expect(await d.pendingMigrations()).toEqual([])
      // and the schema works through the app's pool
      await dbs[1].db.insertInto('users').values({ email: 'm@example.test' }).execute()
      await dbs[1].ping()
      // solve results are compressed with lz4 (Debian's PostgreSQL is built with it)
      const c = await sql<{ method: string }>`select attcompression as method from pg_attribute
        where attrelid = 'solve_runs'::regclass and attname = 'result'`.execute(dbs[1].db)
      expect(c.rows[0].method).toBe('l')
    } finally {
      for (const d of dbs) await d.close().catch(() => {})
      await scratch.drop()
    }
  })
})
