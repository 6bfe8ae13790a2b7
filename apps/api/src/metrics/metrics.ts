/**
 * Prometheus metrics of the API (`GET /metrics`), one registry per app:
 *  - rere_http_requests_total{method,route,status} and rere_http_request_duration_seconds (histogram)
 *  - rere_solver_call_duration_seconds{op,outcome} (solve: outcome success|error|failed)
 *  - rere_db_pool_connections{state=total|idle|in_use|waiting}
 *  - rere_solver_inline_solves_total (in-process solver: solves run in the API's thread)
 *  - the default process metrics of prom-client (event-loop lag `nodejs_eventloop_lag_*`, heap, GC)
 */
import type { FastifyInstance } from 'fastify'
import client from 'prom-client'
import type { Solver, SolverCallOptions } from '@rere/contract'

export interface ApiMetrics {
  registry: client.Registry
  httpRequests: client.Counter<'method' | 'route' | 'status'>
  httpDuration: client.Histogram<'method' | 'route' | 'status'>
  solverDuration: client.Histogram<'op' | 'outcome'>
}

export function createMetrics(opts: {
  poolStats?: () => { total: number; idle: number; waiting: number }
  /** the in-process solver's count of solves run in this thread */
  inlineSolves?: () => number
  defaultMetrics?: boolean
}): ApiMetrics {
  const registry = new client.Registry()
  if (opts.defaultMetrics !== false)
    client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 })
  const httpRequests = new client.Counter({
    name: 'rere_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  })
  const httpDuration = new client.Histogram({
    name: 'rere_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status [s]',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  const solverDuration = new client.Histogram({
    name: 'rere_solver_call_duration_seconds',
    help: 'Solver port calls by operation and outcome (success, error = unsolvable sheet, failed) [s]',
    labelNames: ['op', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  })
  const poolStats = opts.poolStats
  new client.Gauge({
    name: 'rere_db_pool_connections',
    help: 'Database pool connections by state (total, idle, in_use, waiting = queued requests)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      if (!poolStats) return
      const s = poolStats()
      this.set({ state: 'total' }, s.total)
      this.set({ state: 'idle' }, s.idle)
      this.set({ state: 'in_use' }, Math.max(0, s.total - s.idle))
      this.set({ state: 'waiting' }, s.waiting)
    },
  })
  const inlineSolves = opts.inlineSolves
  if (inlineSolves)
    new client.Counter({
      name: 'rere_solver_inline_solves_total',
      help: "Solves the in-process solver ran in the API's own thread (sheets known to solve quickly, SOLVER_INLINE_MAX_MS)",
      registers: [registry],
      collect() {
        this.reset()
        this.inc(inlineSolves())
      },
    })
  return { registry, httpRequests, httpDuration, solverDuration }
}

/** Count and time every request by its route pattern (unmatched routes share one label). */
export function installHttpMetrics(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    }
    metrics.httpRequests.inc(labels)
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000)
    done()
  })
  app.get(
    '/metrics',
    { schema: { hide: true }, config: { public: true, rateLimit: false } },
    async (_request, reply) => {
      const text = await metrics.registry.metrics()
      return reply.type(metrics.registry.contentType).send(text)
    },
  )
}

/** Wrap a Solver so that every call is timed into rere_solver_call_duration_seconds. */
export function instrumentSolver(solver: Solver, metrics: ApiMetrics): Solver {
  const h = metrics.solverDuration
  async function timed<T>(op: string, f: () => Promise<T>, outcome: (r: T) => string): Promise<T> {
    const end = h.startTimer({ op })
    try {
      const r = await f()
      end({ outcome: outcome(r) })
      return r
    } catch (e) {
      end({ outcome: 'failed' })
      throw e
    }
  }
  const ok = () => 'success'
  return {
    solve: (doc: unknown, o?: SolverCallOptions) =>
      timed(
        'solve',
        () => solver.solve(doc, o),
        (r) => r.status,
      ),
    buildState: (doc: unknown, o?: SolverCallOptions) =>
      timed('build_state', () => solver.buildState(doc, o), ok),
    analyze: (doc: unknown, o?: SolverCallOptions) =>
      timed('analyze', () => solver.analyze(doc, o), ok),
    catalogue: (o?: SolverCallOptions) => timed('catalogue', () => solver.catalogue(o), ok),
    envelope: (pkg: string, compound?: string, o?: SolverCallOptions) =>
      timed('envelope', () => solver.envelope(pkg, compound, o), ok),
    close: () => solver.close(),
  }
}
