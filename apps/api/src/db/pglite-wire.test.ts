import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PGliteHost } from './pglite-host.ts'
import { PGliteWire, pgliteClientClass } from './pglite-wire.ts'

let host: PGliteHost
let pool: pg.Pool
beforeAll(async () => {
  host = await PGliteHost.start()
  pool = new pg.Pool({ max: 1, stream: () => new PGliteWire(host) })
  await pool.query('create table t (id int primary key, v text, j json)')
})
afterAll(async () => {
  await pool.end()
  await host.close()
})

describe('node-postgres over PGlite (PGliteWire)', () => {
  it('runs parameterised statements with node-postgres types', async () => {
    const r = await pool.query(
      'select $1::int as i, $2::text as t, $3::json as j, $4::timestamptz as d, $5::int8 as big',
      [5, 'é "quoted"', { a: [1, null] }, new Date(0), '9007199254740993'],
    )
    expect(r.rows).toEqual([
      { i: 5, t: 'é "quoted"', j: { a: [1, null] }, d: new Date(0), big: '9007199254740993' },
    ])
    expect(r.fields.map((f) => f.name)).toEqual(['i', 't', 'j', 'd', 'big'])
  })

  it('reports the server version given to the startup exchange', async () => {
    const c = await pool.connect()
    try {
      expect((c as unknown as { connection: { parameters?: unknown } }).connection).toBeDefined()
      const r = await c.query('show server_version')
      expect(r.rows[0].server_version).toMatch(/^\d+/)
    } finally {
      c.release()
    }
  })

  it('pairs every reply with its statement after errors (extended and simple protocol)', async () => {
    await expect(pool.query('select 1 / $1::int', [0])).rejects.toMatchObject({ code: '22012' })
    expect((await pool.query('select $1::text as a', ['next'])).rows).toEqual([{ a: 'next' }])
    await expect(pool.query('select * from missing_table')).rejects.toMatchObject({
      code: '42P01',
    })
    await expect(pool.query('select nonsense(')).rejects.toMatchObject({ code: '42601' })
    expect((await pool.query('select 2 as b')).rows).toEqual([{ b: 2 }])
  })

  it('keeps transactions: an aborted one refuses statements until rollback', async () => {
    const c = await pool.connect()
    try {
      await c.query('begin')
      await c.query('insert into t (id, v) values ($1, $2)', [1, 'a'])
      await expect(
        c.query('insert into t (id, v) values ($1, $2)', [1, 'b']),
      ).rejects.toMatchObject({ code: '23505' })
      await expect(c.query('select 1')).rejects.toMatchObject({ code: '25P02' })
      await c.query('rollback')
      expect((await c.query('select count(*)::int as n from t')).rows).toEqual([{ n: 0 }])
      await c.query('begin')
      await c.query('insert into t (id, v) values ($1, $2)', [2, 'kept'])
      await c.query('commit')
    } finally {
      c.release()
    }
    expect((await pool.query('select v from t')).rows).toEqual([{ v: 'kept' }])
  })

  it('returns large results and multi-statement simple queries whole', async () => {
    const big = await pool.query("select repeat('x', 3000000) as s, g from generate_series(1, 3) g")
    expect(big.rows.map((r) => [r.s.length, r.g])).toEqual([
      [3e6, 1],
      [3e6, 2],
      [3e6, 3],
    ])
    const multi = (await pool.query('select 1 as a; select 2 as b')) as unknown as pg.QueryResult[]
    expect(multi.map((r) => r.rows)).toEqual([[{ a: 1 }], [{ b: 2 }]])
    await pool.query("do $$ begin raise notice 'hello'; end $$")
  })

  it('queues concurrent queries on its one connection, each answered by its own reply', async () => {
    const rs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        i % 7 === 3
          ? pool.query('select 1 / $1::int as x', [0]).then(
              () => 'no error',
              (e: { code: string }) => e.code,
            )
          : pool.query('select $1::int * 2 as x', [i]).then((r) => r.rows[0].x as number),
      ),
    )
    expect(rs).toEqual(Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? '22012' : i * 2)))
  })

  it('rolls back a transaction left open by a connection that ends', async () => {
    await pool.end()
    const solo = new pg.Client({ stream: () => new PGliteWire(host) })
    await solo.connect()
    await solo.query('begin')
    await solo.query('insert into t (id, v) values (3, $1)', ['abandoned'])
    await solo.end()
    // one session: had the transaction stayed open, the next connection would see the row
    pool = new pg.Pool({ max: 1, stream: () => new PGliteWire(host) })
    expect((await pool.query('select count(*)::int as n from t where id = 3')).rows).toEqual([
      { n: 0 },
    ])
  })

  it('answers an SSL request with N and then starts as usual', async () => {
    const ssl = new pg.Client({
      stream: () => new PGliteWire(host),
      ssl: { rejectUnauthorized: false },
    })
    await expect(ssl.connect()).rejects.toThrow(/does not support SSL/)
  })

  it('fails the queries of a connection whose database thread has gone, without hanging', async () => {
    const gone = await PGliteHost.start()
    const p = new pg.Pool({ max: 1, stream: () => new PGliteWire(gone) })
    expect((await p.query('select 1 as x')).rows).toEqual([{ x: 1 }])
    await gone.close()
    await expect(p.query('select 1 as x')).rejects.toThrow()
    await p.end().catch(() => undefined)
  })
})

describe('pgliteClientClass: statements run often are prepared by name', () => {
  const prepared = async () =>
    (
      await pool.query<{ name: string; statement: string }>(
        "select name, statement from pg_prepared_statements where name like 'rere_c%' order by name",
      )
    ).rows

  it('names a statement from its third run, answers every run, and frees the names at the end', async () => {
    const named = new pg.Pool({ max: 1, Client: pgliteClientClass(host, { threshold: 3 }) })
    const text = 'select $1::int + 1 as n'
    try {
      for (let i = 0; i < 2; i++)
        expect((await named.query(text, [i])).rows).toEqual([{ n: i + 1 }])
      expect((await prepared()).map((p) => p.statement)).not.toContain(text)
      for (let i = 2; i < 6; i++)
        expect((await named.query(text, [i])).rows).toEqual([{ n: i + 1 }])
      const mine = (await prepared()).filter((p) => p.statement === text)
      expect(mine).toHaveLength(1)
      // an error in a named statement's run leaves the statement usable
      await expect(named.query(text, ['x'])).rejects.toMatchObject({ code: '22P02' })
      expect((await named.query(text, [41])).rows).toEqual([{ n: 42 }])
      // statements without parameters run as simple queries, never named
      for (let i = 0; i < 4; i++) await named.query('select 1 as one')
      expect((await prepared()).map((p) => p.statement)).not.toContain('select 1 as one')

      // a connection that ends frees its names; the next one prepares its own
      const c = await named.connect()
      c.release(true)
      await new Promise((r) => setTimeout(r, 50))
      expect((await prepared()).map((p) => p.name)).not.toContain(mine[0].name)
      for (let i = 0; i < 4; i++)
        expect((await named.query(text, [i])).rows).toEqual([{ n: i + 1 }])
      const again = (await prepared()).filter((p) => p.statement === text)
      expect(again).toHaveLength(1)
      expect(again[0].name).not.toBe(mine[0].name)
    } finally {
      await named.end()
    }
    await new Promise((r) => setTimeout(r, 50))
    expect(await prepared()).toEqual([])
  })
})
