/**
 * `buildApp`: the Fastify application of the API. The shell (this file, auth/, tokens/, plugins/,
 * metrics/, openapi/) wraps the domain routes of routes/index.ts:
 * request ids, pino JSON logs, error replies, JSON parsing and body limits, CORS, sign-on and CSRF,
 * rate limits, metrics, OpenAPI, status/readiness, and optionally the built web app (rere start).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import { AppError, type Solver } from '@rere/contract'
import type { ApiConfig } from './config.ts'
import type { Database } from './db/index.ts'
import { authPlugin } from './auth/auth.plugin.ts'
import type { UserDirectory } from './auth/users.ts'
import { tokenRoutes } from './tokens/token.routes.ts'
import { TokenVerifier } from './tokens/token.service.ts'
import { installErrorHandling } from './plugins/errors.ts'
import { createReadiness, opsRoutes, type Readiness } from './plugins/ops.ts'
import {
  createMetrics,
  installHttpMetrics,
  instrumentSolver,
  type ApiMetrics,
} from './metrics/metrics.ts'
import { registerOpenApi } from './openapi/openapi.ts'
import { sql } from 'kysely'
import pino from 'pino'
import { domainRoutes } from './routes/index.ts'

export const API_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
).version

export interface BuildAppOptions {
  config: ApiConfig
  database: Database
  solver: Solver
  /** pino options or an instance; default: pino JSON at config.logLevel on stdout */
  logger?: boolean | Record<string, unknown>
  /** folder of the built web app (apps/web/dist) to serve with SPA fallback */
  webDist?: string
  /** collect prom-client's default process metrics (default true) */
  defaultMetrics?: boolean
  /** extra routes/hooks added after the domain routes (tests, embedders) */
  configure?: (app: FastifyInstance) => Promise<void> | void
}

/** What the shell hangs on the instance (`app.rere`). */
export interface RereShell {
  config: ApiConfig
  database: Database
  /** the solver as the routes see it (timed into the metrics) */
  solver: Solver
  metrics: ApiMetrics
  readiness: Readiness
  users: UserDirectory
  /** token verification (with its short cache) */
  tokens: TokenVerifier
}

declare module 'fastify' {
  interface FastifyInstance {
    rere: RereShell
  }
}

/** GET routes exercised by the warm-up (as user 0, who owns nothing) */
const WARMUP_GETS = [
  '/api/me/',
  '/api/flowsheets/',
  '/api/flowsheets/1/',
  '/api/unitops/unitops/?flowsheetOwner=1',
  '/api/unitops/materialstreams/?flowsheetOwner=1',
  '/api/unitops/simulationobjects/1/',
  '/api/compounds/',
  '/api/solver/catalogue/',
  '/api/tokens/',
]

const REQUEST_ID_RE = /^[A-Za-z0-9._:@/+=-]{1,128}$/

/** Accept a sane incoming x-request-id, generate one otherwise. */
export function requestIdFor(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header
  return v !== undefined && REQUEST_ID_RE.test(v) ? v : randomUUID()
}

export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config, database } = opts
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : {
            level: config.logLevel,
            ...(typeof opts.logger === 'object' ? opts.logger : {}),
          },
    genReqId: (req) => requestIdFor(req.headers['x-request-id']),
    // one access-log line per request is written by the onResponse hook below
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'reqId' }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustedProxies.length ? config.trustedProxies : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreDuplicateSlashes: false, maxParamLength: 200 },
    frameworkErrors: (error, req, reply) => {
      // no route, so no hooks: the request id is set here
      void (reply as FastifyReply)
        .header('x-request-id', req.id)
        .code(400)
        .send({
          statusCode: 400,
          code: 'API_BAD_REQUEST',
          message: error.message,
          details: { field: 'url' },
        })
    },
  })

  const inProcess = opts.solver as Partial<{ stats(): { inline?: number } }>
  const metrics = createMetrics({
    poolStats: () => database.poolStats(),
    ...(typeof inProcess.stats === 'function'
      ? { inlineSolves: () => inProcess.stats!().inline ?? 0 }
      : {}),
    defaultMetrics: opts.defaultMetrics,
  })
  const solver = instrumentSolver(opts.solver, metrics)
  const webIndex = opts.webDist && join(opts.webDist, 'index.html')
  const serveWeb = !!webIndex && existsSync(webIndex)

  installErrorHandling(app, {
    bodyLimit: config.bodyLimitBytes,
    notFound: serveWeb
      ? (request: FastifyRequest, reply: FastifyReply) => {
          const path = request.url.split('?')[0]
          if (
            (request.method === 'GET' || request.method === 'HEAD') &&
            !path.startsWith('/api/') &&
            path !== '/api' &&
            path !== '/metrics'
          )
            return reply
              .type('text/html')
              .header('cache-control', 'no-cache')
              .sendFile('index.html')
          return undefined
        }
      : undefined,
  })

  // The shell's per-request hooks are callback-style and synchronous: no promise and no extra
  // microtask per hook on every request (they are on the path of every answer)
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id)
    // shutting down: tell keep-alive clients to go, so the connection can close at once
    if (app.rere?.readiness.shuttingDown) reply.header('connection', 'close')
    done(null, payload)
  })
  // the access log is at level info: below the configured level there is no hook at all
  if ((pino.levels.values[app.log.level] ?? Infinity) <= pino.levels.values.info)
    app.addHook('onResponse', (request, reply, done) => {
      request.log.info(
        {
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 100) / 100,
          userId: request.user?.id,
        },
        'request',
      )
      done()
    })

  // CORS only when cross-origin callers are named (CORS_ORIGINS): without them no answer carries
  // CORS headers, and the plugin's work on every request (and its Vary: Origin) buys nothing
  if (config.corsOrigins.length > 0)
    await app.register(cors, {
      origin: (origin, cb) => cb(null, origin !== undefined && config.corsOrigins.includes(origin)),
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Content-Type', 'Authorization', 'If-Match', 'X-Request-Id'],
      exposedHeaders: ['ETag', 'X-Request-Id'],
      maxAge: 600,
    })

  // before any route: the rate limiter hooks the routes registered after it
  if (config.rateLimitMax > 0 || config.rateLimitSolveMax > 0) {
    if (config.rateLimitSolveMax > 0)
      app.addHook('onRoute', (route) => {
        if (route.url === '/api/solve/idaes/' && route.method === 'POST') {
          route.config = {
            ...(route.config ?? {}),
            rateLimit: { max: config.rateLimitSolveMax, timeWindow: config.rateLimitWindowMs },
          }
        }
      })
    await app.register(rateLimit, {
      global: config.rateLimitMax > 0,
      max: config.rateLimitMax || 1e12,
      timeWindow: config.rateLimitWindowMs,
      hook: 'preHandler',
      keyGenerator: (req) => (req.user ? `u${req.user.id}` : `ip${req.ip}`),
      errorResponseBuilder: (_req, ctx) =>
        new AppError('API_RATE_LIMITED', `Too many requests; retry in ${ctx.after}`, {
          statusCode: 429,
          details: { limit: ctx.max, retryAfter: ctx.after },
        }),
    })
  }

  await registerOpenApi(app, API_VERSION)
  installHttpMetrics(app, metrics)

  const db = database.db
  const tokens = new TokenVerifier(db)
  const warmupSecret = randomBytes(32).toString('hex')
  const users = await authPlugin(app, { config, db, tokens, warmupSecret })

  const readiness = createReadiness({
    pendingMigrations: () => database.pendingMigrations(),
    ping: () => database.ping(),
    log: app.log,
    warm: async () => {
      // one cheap query through the pool, the solver's catalogue, and the first requests
      await sql`select count(*) from users`.execute(db)
      const warmSolver = opts.solver as Solver & { warmUp?: () => Promise<void> }
      if (typeof warmSolver.warmUp === 'function') await warmSolver.warmUp()
      await solver.catalogue()
      // the first requests of the main routes, as user 0 (owns nothing: reads find nothing, writes
      // are refused), so route code, serializers and SQL are warm before /api/ready/ passes
      const headers = { 'x-rere-warmup': warmupSecret }
      for (let round = 0; round < 2; round++) {
        await app.inject({ method: 'GET', url: '/api/status/' })
        for (const url of WARMUP_GETS) await app.inject({ method: 'GET', url, headers })
        await app.inject({
          method: 'POST',
          url: '/api/solve/idaes/',
          headers,
          payload: { flowsheet_id: 1 },
        })
      }
    },
  })
  app.decorate('rere', { config, database, solver, metrics, readiness, users, tokens })

  opsRoutes(app, { version: API_VERSION, readiness })
  await tokenRoutes(app, { db, verifier: tokens })

  // the domain routes in their own scope (their validator compiler stays theirs)
  await app.register(async (scope) => {
    await domainRoutes(scope, { database, solver, config: { ...config } })
  })

  if (opts.configure) await opts.configure(app)

  if (serveWeb) {
    // files are looked up per request (a rebuilt dist is served without a restart); the build's
    // .br / .gz copies are sent to clients that accept them
    await app.register(fastifyStatic, {
      root: opts.webDist!,
      wildcard: true,
      preCompressed: true,
      index: ['index.html'],
      setHeaders: (res, path) => {
        if (path.includes('/assets/'))
          res.header('cache-control', 'public, max-age=31536000, immutable')
      },
    })
  }

  await app.ready()
  return app
}
