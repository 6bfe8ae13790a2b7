/**
 * Test harness of the API: `createTestApp()` opens the database of the current DB_VARIANT, migrates
 * it, builds the real app (`buildApp`) and offers helpers to act as different users.
 *
 *  - DB_VARIANT=pglite (default): in-memory PGlite.
 *  - DB_VARIANT=postgres: a fresh, uniquely named database on DATABASE_URL's server, dropped by close().
 *  - DB_VARIANT=pgbouncer: the same, reached through PGBOUNCER_URL (PgBouncer, transaction mode),
 *    migrated over DATABASE_DIRECT_URL (the server itself).
 * A missing server fails the test (never skips).
 *
 * Default sign-on: AUTH_MODE=proxy, TRUSTED_PROXIES=127.0.0.1, AUTH_ALLOWED_DOMAINS=example.test,
 * so `t.user('alice@example.test')` acts as Alice (identity header from a trusted peer; app.inject's
 * peer is 127.0.0.1). `t.tokenUser(...)` acts through a personal API token.
 *
 *   const t = await createTestApp()
 *   const alice = t.user('alice@example.test')
 *   const r = await alice.inject({ method: 'POST', url: '/api/flowsheets/', payload: { name: 'a' } })
 *   await t.close()
 */
import { randomBytes } from 'node:crypto'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import pg from 'pg'
import type { Solver } from '@rere/contract'
import { buildApp, type BuildAppOptions } from '../src/app.ts'
import { loadApiConfig, type ApiConfig } from '../src/config.ts'
import { openDatabase, type Database } from '../src/db/index.ts'

export type DbVariant = 'pglite' | 'postgres' | 'pgbouncer'

export interface TestUser {
  email: string
  /** headers that identify this user */
  headers: Record<string, string>
  /** app.inject as this user (headers merged over the request's own) */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>
}

export interface TestApp {
  app: FastifyInstance
  database: Database
  config: ApiConfig
  solver: Solver
  variant: DbVariant
  /** the database name on Postgres variants */
  databaseName?: string
  /** act as a signed-in user (proxy identity header from the trusted 127.0.0.1) */
  user(email?: string): TestUser
  /** create a token for `email` (through POST /api/tokens/) and act through it */
  tokenUser(email?: string, body?: Record<string, unknown>): Promise<TestUser & { token: string }>
  /** act with a given Authorization: Bearer token */
  bearer(token: string): TestUser
  /** anonymous request */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>
  close(): Promise<void>
}

export interface CreateTestAppOptions {
  /** the solver port; default: the in-process solver of @rere/solver-service (1 worker) */
  solver?: Solver
  /** raw environment variables (validated by the config schema), over the harness defaults */
  env?: Record<string, string>
  /** direct config overrides (after parsing) */
  config?: Partial<ApiConfig>
  /** run the migrations (default true) */
  migrate?: boolean
  /** pino logs (default silent unless TEST_LOG_LEVEL is set) */
  logLevel?: string
  webDist?: string
  /** collect prom-client's default process metrics (default false: cheaper) */
  defaultMetrics?: boolean
  /** extra routes/hooks (see BuildAppOptions.configure) */
  configure?: BuildAppOptions['configure']
}

export function dbVariant(): DbVariant {
  const v = process.env.DB_VARIANT ?? 'pglite'
  if (v !== 'pglite' && v !== 'postgres' && v !== 'pgbouncer')
    throw new Error(`DB_VARIANT=${v}: must be pglite, postgres or pgbouncer`)
  return v
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** The server URLs of a Postgres variant: where to create databases, and how the app connects. */
export function postgresUrls(variant: DbVariant): { admin: string; app: string; direct?: string } {
  const direct =
    process.env.DATABASE_DIRECT_URL ??
    (variant === 'pgbouncer' ? undefined : process.env.DATABASE_URL) ??
    'postgres://postgres@127.0.0.1:5432/test'
  if (variant === 'pgbouncer') {
    const bouncer = process.env.PGBOUNCER_URL ?? 'postgres://postgres@127.0.0.1:6432/test'
    return { admin: direct, app: bouncer, direct }
  }
  return { admin: direct, app: direct }
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/** Create a fresh database on the variant's server; returns its URLs and a drop function. */
export async function createScratchDatabase(variant: 'postgres' | 'pgbouncer'): Promise<{
  name: string
  databaseUrl: string
  directUrl?: string
  drop(): Promise<void>
}> {
  const urls = postgresUrls(variant)
  const name = `rere_t_${process.pid}_${randomBytes(4).toString('hex')}`
  await adminQuery(urls.admin, `create database ${name}`)
  return {
    name,
    databaseUrl: withDatabase(urls.app, name),
    directUrl: variant === 'pgbouncer' ? withDatabase(urls.admin, name) : undefined,
    drop: () => adminQuery(urls.admin, `drop database if exists ${name} with (force)`),
  }
}

export const TEST_ENV: Record<string, string> = {
  AUTH_MODE: 'proxy',
  TRUSTED_PROXIES: '127.0.0.1',
  AUTH_ALLOWED_DOMAINS: 'example.test',
  LOG_LEVEL: 'silent',
  SOLVER_WORKERS: '1',
  RATE_LIMIT_MAX: '0',
  RATE_LIMIT_SOLVE_MAX: '0',
}

let sharedSolver: Promise<Solver> | undefined
async function defaultSolver(): Promise<Solver> {
  sharedSolver ??= import('@rere/solver-service').then((m) => {
    // as `rere api` runs it: quick sheets are solved in this thread after their first solve
    const s = m.createInProcessSolver({ workers: 1, inlineMaxMs: 50 })
    // shared by every test app of this file; never closed by an app's close()
    return { ...s, close: async () => {} } as Solver
  })
  return sharedSolver
}

export async function createTestApp(opts: CreateTestAppOptions = {}): Promise<TestApp> {
  const variant = dbVariant()
  const env = { ...TEST_ENV, ...(opts.env ?? {}) }
  if (process.env.TEST_LOG_LEVEL) env.LOG_LEVEL = process.env.TEST_LOG_LEVEL
  if (opts.logLevel) env.LOG_LEVEL = opts.logLevel
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>> | undefined
  if (variant !== 'pglite') scratch = await createScratchDatabase(variant)
  const config: ApiConfig = {
    ...loadApiConfig(env),
    ...(scratch ? { databaseUrl: scratch.databaseUrl, databaseDirectUrl: scratch.directUrl } : {}),
    ...(opts.config ?? {}),
  }
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    directUrl: config.databaseDirectUrl,
    poolMax: config.databasePoolMax,
  })
  const solver = opts.solver ?? (await defaultSolver())
  let app: FastifyInstance
  try {
    if (opts.migrate !== false) await database.migrate()
    app = await buildApp({
      config,
      database,
      solver,
      defaultMetrics: opts.defaultMetrics ?? false,
      webDist: opts.webDist,
      configure: opts.configure,
    })
  } catch (e) {
    await database.close().catch(() => {})
    await scratch?.drop().catch(() => {})
    throw e
  }

  const make = (email: string, headers: Record<string, string>): TestUser => ({
    email,
    headers,
    inject: (o) => app.inject({ ...o, headers: { ...headers, ...(o.headers ?? {}) } }),
  })

  const t: TestApp = {
    app,
    database,
    config,
    solver,
    variant,
    databaseName: scratch?.name,
    user: (email = 'alice@example.test') =>
      config.authMode === 'local'
        ? make(email, {})
        : make(email, { 'x-auth-request-email': email }),
    async tokenUser(email = 'alice@example.test', body = { name: 'test' }) {
      const r = await t.user(email).inject({ method: 'POST', url: '/api/tokens/', payload: body })
      if (r.statusCode !== 201) throw new Error(`token creation failed: ${r.statusCode} ${r.body}`)
      const token = (r.json() as { token: string }).token
      return { ...make(email, { authorization: `Bearer ${token}` }), token }
    },
    bearer: (token) => make('(token)', { authorization: `Bearer ${token}` }),
    inject: (o) => app.inject(o),
    async close() {
      await app.close().catch(() => {})
      await database.close().catch(() => {})
      await scratch?.drop()
    },
  }
  return t
}
