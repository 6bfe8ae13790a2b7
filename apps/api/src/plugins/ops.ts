/**
 * Operations routes: `GET /api/status/` (liveness: the process answers; no database) and
 * `GET /api/ready/` (readiness: migrations applied, database answers, app warmed, not shutting down).
 */
import type { FastifyInstance } from 'fastify'

export interface Readiness {
  /** true once warm-up succeeded */
  warmed: boolean
  /** set on SIGTERM: readiness fails so the load balancer stops sending */
  shuttingDown: boolean
  /** run (or join) the warm-up; resolves true when warmed */
  warmUp(): Promise<boolean>
  /** current readiness, with the reasons when not ready */
  check(): Promise<{ ready: boolean; reasons: string[] }>
}

export interface ReadinessDeps {
  pendingMigrations(): Promise<string[]>
  ping(): Promise<unknown>
  /** the warm-up work (one query, one catalogue call, first requests) */
  warm(): Promise<void>
  log: { warn(obj: object, msg: string): void }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(t))
}

export function createReadiness(deps: ReadinessDeps): Readiness {
  let running: Promise<boolean> | null = null
  let lastReason = 'not warmed up yet'
  const r: Readiness = {
    warmed: false,
    shuttingDown: false,
    warmUp() {
      if (r.warmed) return Promise.resolve(true)
      running ??= (async () => {
        try {
          const pending = await withTimeout(deps.pendingMigrations(), 5000, 'migration check')
          if (pending.length) {
            lastReason = `migrations pending: ${pending.join(', ')}`
            return false
          }
          await withTimeout(deps.warm(), 30_000, 'warm-up')
          r.warmed = true
          return true
        } catch (e) {
          lastReason = `warm-up failed: ${(e as Error).message}`
          deps.log.warn({ err: e }, 'warm-up failed')
          return false
        } finally {
          running = null
        }
      })()
      return running
    },
    async check() {
      if (r.shuttingDown) return { ready: false, reasons: ['shutting down'] }
      if (!r.warmed && !(await r.warmUp())) return { ready: false, reasons: [lastReason] }
      try {
        await withTimeout(deps.ping(), 2000, 'database ping')
      } catch (e) {
        return { ready: false, reasons: [`database: ${(e as Error).message}`] }
      }
      return { ready: true, reasons: [] }
    },
  }
  return r
}

export function opsRoutes(app: FastifyInstance, opts: { version: string; readiness: Readiness }) {
  app.get(
    '/api/status/',
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Liveness (no database)',
        security: [],
        response: {
          200: {
            type: 'object',
            properties: { status: { type: 'string' }, version: { type: 'string' } },
          },
        },
      },
    },
    async () => ({ status: 'ok', version: opts.version }),
  )
  app.get(
    '/api/ready/',
    {
      config: { public: true, rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: migrations applied, database answers, app warmed',
        security: [],
      },
    },
    async (_request, reply) => {
      const { ready, reasons } = await opts.readiness.check()
      if (ready) return { status: 'ready' }
      return reply.code(503).send({ status: 'not-ready', reasons })
    },
  )
}
