import { Kysely, PostgresDialect, sql, type Generated } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalWrites } from './local-writes.ts'
import { PGliteHost } from './pglite-host.ts'
import { PGliteWire } from './pglite-wire.ts'

interface T {
  t: { id: Generated<number>; v: string }
}

let host: PGliteHost
let db: Kysely<T>
const writes = new LocalWrites()
beforeAll(async () => {
  host = await PGliteHost.start()
  const pool = new pg.Pool({ max: 1, stream: () => new PGliteWire(host) })
  db = new Kysely<T>({ dialect: new PostgresDialect({ pool }), plugins: [writes] })
  await sql`create table t (id serial primary key, v text not null)`.execute(db)
})
afterAll(async () => {
  await db.destroy()
  await host.close()
})

/** The epoch change a statement causes. */
async function bump(run: () => Promise<unknown>): Promise<number> {
  const before = writes.epoch
  await run()
  return writes.epoch - before
}

describe('LocalWrites', () => {
  it('counts every statement that may write, before and after it runs', async () => {
    expect(await bump(() => db.insertInto('t').values({ v: 'a' }).execute())).toBe(2)
    expect(await bump(() => db.updateTable('t').set({ v: 'b' }).execute())).toBe(2)
    expect(await bump(() => sql`insert into t (v) values ('c')`.execute(db))).toBe(2)
    expect(
      await bump(() =>
        sql`with x as (insert into t (v) values ('d') returning id) select * from x`.execute(db),
      ),
    ).toBe(2)
    // a write hidden in a nested fragment of a raw query
    expect(
      await bump(() =>
        sql`select * from ${sql`(delete from t where v = 'zz' returning id)`} d`
          .execute(db)
          .catch(() => 0),
      ),
    ).toBeGreaterThan(0)
    expect(await bump(() => sql`alter table t add column w int`.execute(db))).toBe(2)
    expect(await bump(() => db.deleteFrom('t').where('v', '=', 'c').execute())).toBe(2)
    expect(
      await bump(() =>
        db.transaction().execute(async (trx) => {
          await trx.insertInto('t').values({ v: 'e' }).execute()
          await trx.selectFrom('t').selectAll().execute()
        }),
      ),
    ).toBe(2)
  })

  it('leaves the epoch alone for plain reads', async () => {
    expect(await bump(() => db.selectFrom('t').selectAll().where('v', '=', 'b').execute())).toBe(0)
    expect(await bump(() => sql`select count(*) from t`.execute(db))).toBe(0)
    expect(
      await bump(() => sql`select set_config('synchronous_commit', 'off', true)`.execute(db)),
    ).toBe(0)
  })
})
