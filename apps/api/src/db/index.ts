/**
 * The database of the API: embedded PGlite (no DATABASE_URL) or PostgreSQL through a
 * node-postgres pool (possibly behind PgBouncer in transaction mode).
 *
 * PgBouncer transaction mode: nothing here keeps session state. Queries are unnamed (Kysely's
 * Postgres driver never passes a statement `name`), no SET / LISTEN / session advisory locks on
 * the pooled connections. Migrations run over `directUrl` (DATABASE_DIRECT_URL) when given:
 * Kysely's Migrator takes a Postgres advisory lock on ONE dedicated connection, so concurrent
 * migrators (several pods starting) wait for each other; that lock needs a real session, hence
 * the direct URL.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, Migrator, PostgresDialect, sql, type MigrationProvider } from 'kysely'
import { LocalWrites } from './local-writes.ts'
import pg from 'pg'
import { pgliteClientClass } from './pglite-wire.ts'
import { PGliteHost } from './pglite-host.ts'
import { migrations } from './migrations/index.ts'
import type { DB } from './schema.ts'

export type { DB } from './schema.ts'

export interface Database {
  db: Kysely<DB>
  kind: 'pglite' | 'postgres'
  /** Apply pending migrations; resolves with the names applied (over `directUrl` when given). */
  migrate(): Promise<string[]>
  /** Names of migrations not yet applied. */
  pendingMigrations(): Promise<string[]>
  /** Round trip to the database (`select 1`); rejects when it does not answer. */
  ping(): Promise<void>
  poolStats(): { total: number; idle: number; waiting: number }
  close(): Promise<void>
  /** PGlite only: the count of writes (this process is the database's only client) */
  localWrites?: LocalWrites
  /** PGlite only: write the whole data directory to `file` (tar.gz) for `rere backup`. */
  dumpTo?(file: string): Promise<void>
  /** PGlite only: replace the data directory with the dump in `file` (`rere restore`). This
   * closes the database; open a new one afterwards. */
  loadFrom?(file: string): Promise<void>
}

export interface OpenDatabaseOptions {
  databaseUrl?: string
  directUrl?: string
  /** PGlite data folder; undefined = in-memory */
  dataDir?: string
  poolMax?: number
}

const staticProvider: MigrationProvider = { getMigrations: async () => migrations }

/** int8 (ids, counts) as JS numbers: ids stay far below 2^53. */
const INT8_OID = 20
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (v: string) => Number(v)
    return format === 'binary'
      ? pg.types.getTypeParser(oid, 'binary')
      : pg.types.getTypeParser(oid, 'text')
  },
} as pg.CustomTypesConfig

function migratorFor(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider: staticProvider })
}

/** Apply pending migrations over `db`; resolves with the names applied. */
export async function runMigrations(db: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await migratorFor(db).migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}

async function pending(db: Kysely<unknown>): Promise<string[]> {
  const all = await migratorFor(db).getMigrations()
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name)
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts) : openPglite(opts.dataDir)
}

async function openPostgres(opts: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    max: opts.poolMax ?? 10,
    types: pgTypes,
    idleTimeoutMillis: 30_000,
  })
  // an idle client that errors (server restart) must not crash the process
  pool.on('error', () => {})
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })

  async function withDirect<T>(fn: (d: Kysely<unknown>) => Promise<T>): Promise<T> {
    if (!opts.directUrl || opts.directUrl === opts.databaseUrl) return fn(db as Kysely<unknown>)
    const direct = new pg.Pool({ connectionString: opts.directUrl, max: 2, types: pgTypes })
    direct.on('error', () => {})
    const ddb = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: direct }) })
    try {
      return await fn(ddb)
    } finally {
      await ddb.destroy()
    }
  }

  return {
    db,
    kind: 'postgres',
    migrate: () => withDirect(runMigrations),
    pendingMigrations: () => withDirect(pending),
    async ping() {
      await sql`select 1`.execute(db)
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => db.destroy(),
  }
}

async function openPglite(dataDir?: string): Promise<Database> {
  if (dataDir) await mkdir(dataDir, { recursive: true })
  // PGlite runs on a thread of its own (pglite-host.ts); node-postgres drives it through its
  // wire protocol (pglite-wire.ts). PGlite has one session, so one connection, kept open; the
  // pool queues the other queries.
  const host = await PGliteHost.start(dataDir)
  const pool = new pg.Pool({
    max: 1,
    idleTimeoutMillis: 0,
    types: pgTypes,
    // statements run often are prepared by name: PGlite parses and plans them once
    Client: pgliteClientClass(host),
  })
  pool.on('error', () => {})
  const localWrites = new LocalWrites()
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), plugins: [localWrites] })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await db.destroy()
    await host.close()
  }
  return {
    db,
    kind: 'pglite',
    localWrites,
    migrate: () => runMigrations(db as Kysely<unknown>),
    pendingMigrations: () => pending(db as Kysely<unknown>),
    async ping() {
      await sql`select 1`.execute(db)
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close,
    async dumpTo(file: string) {
      await writeFile(file, await host.dump())
    },
    async loadFrom(file: string) {
      const bytes = await readFile(file)
      await close()
      if (dataDir) {
        await rm(dataDir, { recursive: true, force: true })
        await mkdir(dataDir, { recursive: true })
      }
      const restored = new PGlite(dataDir, {
        loadDataDir: new Blob([bytes], { type: 'application/x-gzip' }),
      })
      await restored.waitReady
      await restored.close()
    },
  }
}
