/**
 * The solver service's HTTP routes (Fastify). Stateless: every request carries its document.
 *
 *   POST /solve         completion payload; 200 solved, 422 cannot solve, 400 malformed
 *   POST /build_state   bare list of properties (as upstream)
 *   POST /analyze       DOF and structure, no solve
 *   GET  /catalogue     unit types with ports, properties and defaults
 *   GET  /envelope      saturation curve (?package=helmholtz&compound=water)
 *   GET  /healthz       liveness;  GET /readyz  readiness (after warm-up)
 *   GET  /metrics       Prometheus
 */
import { AppError, isAppError, type Solver } from '@rere/contract'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { randomUUID } from 'node:crypto'
import type { PoolStats } from './pool.ts'
import { createSolverMetrics } from './metrics.ts'

export interface SolverAppOptions {
  solver: Solver
  stats: () => PoolStats
  bodyLimitBytes?: number
  logLevel?: string
  /** readiness gate: the service answers /readyz 200 only when this returns true */
  isReady?: () => boolean
  version?: string
}

export interface SolverApp extends FastifyInstance {
  /** Stop taking work: new requests get 503 SOLVER_SHUTTING_DOWN, every reply closes its
   * connection; resolves true once the requests in flight have all been answered, false when
   * `graceMs` ran out first. (Fastify's close() alone would also wait for clients to hang up
   * their keep-alive connections.) */
  drain(graceMs: number): Promise<boolean>
}

export async function buildSolverApp(opts: SolverAppOptions): Promise<SolverApp> {
  const app = Fastify({
    logger: { level: opts.logLevel ?? 'info' },
    bodyLimit: opts.bodyLimitBytes ?? 5 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  })
  // JSON only: no text/plain documents
  app.removeContentTypeParser('text/plain')
  const metrics = createSolverMetrics(opts.stats)
  const { solver } = opts

  let draining = false
  let inFlight = 0
  app.server.on('request', (_req, res) => {
    inFlight++
    res.once('close', () => inFlight--)
  })
  app.addHook('onRequest', async (request, reply) => {
    if (!draining) return
    reply.header('connection', 'close')
    return reply.status(503).send(
      new AppError('SOLVER_SHUTTING_DOWN', 'the solver is shutting down', {
        statusCode: 503,
      }).toBody(),
    )
  })
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
    if (draining) reply.header('connection', 'close')
  })

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    let appError: AppError
    if (isAppError(error)) appError = error
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      appError = new AppError('SOLVER_BODY_TOO_LARGE', error.message, { statusCode: 413 })
    else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      appError = new AppError('SOLVER_UNSUPPORTED_MEDIA_TYPE', 'send application/json', {
        statusCode: 415,
      })
    else if (
      error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      error instanceof SyntaxError ||
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
    )
      appError = new AppError('SOLVER_BAD_JSON', `the body is not valid JSON: ${error.message}`, {
        statusCode: 400,
      })
    else if (error.validation)
      appError = new AppError('SOLVER_BAD_REQUEST', error.message, {
        statusCode: 400,
        details: { path: error.validation[0]?.instancePath ?? '' },
      })
    else if (typeof error.statusCode === 'number' && error.statusCode < 500)
      appError = new AppError('SOLVER_BAD_REQUEST', error.message, { statusCode: error.statusCode })
    else
      appError = new AppError('SOLVER_INTERNAL', error.message, { statusCode: 500, cause: error })
    if (appError.statusCode >= 500) request.log.error({ err: error }, 'solver request failed')
    void reply.status(appError.statusCode).send(appError.toBody())
  })

  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      statusCode: 404,
      code: 'SOLVER_ROUTE_NOT_FOUND',
      message: `no route ${request.method} ${request.url}`,
      details: {},
    })
  })

  /** run one operation, recording its metrics and outcome */
  async function timed<T>(
    op: string,
    fn: () => Promise<T>,
    statusOf: (v: T) => string,
  ): Promise<T> {
    const t0 = process.hrtime.bigint()
    let status = 'failed'
    try {
      const v = await fn()
      status = statusOf(v)
      return v
    } catch (e) {
      status = isAppError(e) && e.statusCode < 500 ? 'invalid' : 'failed'
      throw e
    } finally {
      metrics.observe(op, status, Number(process.hrtime.bigint() - t0) / 1e9)
    }
  }

  const truthy = (v: unknown) => v === '1' || v === 'true' || v === true

  app.post<{ Querystring: { full_state?: string; fullState?: string } }>(
    '/solve',
    async (request, reply) => {
      const fullState = truthy(request.query.full_state) || truthy(request.query.fullState)
      const result = await timed(
        'solve',
        () => solver.solve(request.body, { requestId: request.id, fullState }),
        (r) => r.status,
      )
      request.log.info(
        {
          solveStatus: result.status,
          errorCode: result.error?.code,
          solverMs: result.timing?.totalMs,
        },
        'solved',
      )
      return reply.status(result.status === 'success' ? 200 : 422).send(result)
    },
  )

  app.post('/build_state', async (request) =>
    timed(
      'build_state',
      () => solver.buildState(request.body, { requestId: request.id }),
      () => 'success',
    ),
  )

  app.post('/analyze', async (request) =>
    timed(
      'analyze',
      () => solver.analyze(request.body, { requestId: request.id }),
      () => 'success',
    ),
  )

  app.get('/catalogue', async (request) => solver.catalogue({ requestId: request.id }))

  app.get<{ Querystring: { package?: string; compound?: string } }>(
    '/envelope',
    async (request) => {
      const pkg = request.query.package ?? 'helmholtz'
      return solver.envelope(pkg, request.query.compound, { requestId: request.id })
    },
  )

  app.get('/healthz', async () => ({ status: 'ok', version: opts.version ?? 'dev' }))
  app.get('/readyz', async (_request, reply) => {
    const ready = opts.isReady ? opts.isReady() : true
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'starting' })
  })
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics()
    return reply.type(metrics.registry.contentType).send(body)
  })

  const solverApp = Object.assign(app, {
    async drain(graceMs: number) {
      draining = true
      const end = Date.now() + graceMs
      while (inFlight > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
      return inFlight === 0
    },
  })
  // a Fastify instance is thenable: cast so that awaiting it keeps the drain() type
  return solverApp as unknown as SolverApp
}
