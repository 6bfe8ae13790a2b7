/**
 * The distributed adapter of the `Solver` port: HTTP to the solver service at `SOLVER_URL`,
 * over a keep-alive connection pool (undici), with a time limit per call. The caller's request
 * id travels as `x-request-id`.
 *
 * Status mapping: 200 and 422 -> the completion payload (solved / cannot solve); 400, 413, 415
 * -> AppError with the service's code (the document is bad); 503 -> SOLVER_BUSY /
 * SOLVER_SHUTTING_DOWN; other failures, refused connections -> 503 SOLVER_UNAVAILABLE; time limit
 * -> 504 SOLVER_TIMEOUT.
 */
import {
  AppError,
  type AnalyzeReply,
  type Catalogue,
  type Envelope,
  type SolvedProperty,
  type Solver,
  type SolverCallOptions,
  type SolveReply,
} from '@rere/contract'
import { Pool, errors as undiciErrors } from 'undici'

export interface HttpSolverOptions {
  /** base URL of the solver service, e.g. http://solver:8081 */
  url: string
  /** time limit of one call [ms] */
  timeoutMs?: number
  /** keep-alive connections to the service (default 64) */
  connections?: number
}

export function createHttpSolver(opts: HttpSolverOptions): Solver {
  const base = new URL(opts.url)
  const timeoutMs = opts.timeoutMs ?? 10_000
  const pool = new Pool(base.origin, {
    connections: opts.connections ?? 64,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  })
  const prefix = base.pathname.replace(/\/$/, '')
  let catalogueCache: Promise<Catalogue> | undefined

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    callOpts: SolverCallOptions = {},
    acceptStatus: number[] = [200],
  ): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = callOpts.signal ? AbortSignal.any([timeout, callOpts.signal]) : timeout
    const headers: Record<string, string> = { accept: 'application/json' }
    if (callOpts.requestId) headers['x-request-id'] = callOpts.requestId
    if (body !== undefined) headers['content-type'] = 'application/json'
    let res
    try {
      res = await pool.request({
        method,
        path: prefix + path,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      })
    } catch (e) {
      if (
        timeout.aborted ||
        e instanceof undiciErrors.HeadersTimeoutError ||
        e instanceof undiciErrors.BodyTimeoutError
      )
        throw new AppError('SOLVER_TIMEOUT', `the solver did not answer within ${timeoutMs} ms`, {
          statusCode: 504,
          details: { timeoutMs },
          cause: e,
        })
      if (callOpts.signal?.aborted)
        throw new AppError('SOLVER_ABORTED', 'the request was cancelled', {
          statusCode: 499,
          cause: e,
        })
      throw new AppError('SOLVER_UNAVAILABLE', 'the solver service cannot be reached', {
        statusCode: 503,
        cause: e,
      })
    }
    let payload: unknown
    try {
      payload = await res.body.json()
    } catch (e) {
      throw new AppError(
        'SOLVER_UNAVAILABLE',
        `the solver service sent a non-JSON reply (HTTP ${res.statusCode})`,
        {
          statusCode: 503,
          cause: e,
        },
      )
    }
    if (acceptStatus.includes(res.statusCode)) return payload as T
    const p = (payload ?? {}) as {
      code?: string
      message?: string
      details?: Record<string, unknown>
    }
    if (
      res.statusCode >= 400 &&
      res.statusCode < 500 &&
      res.statusCode !== 404 &&
      res.statusCode !== 408 &&
      res.statusCode !== 429
    )
      throw new AppError(
        p.code ?? 'SOLVER_BAD_REQUEST',
        p.message ?? `solver replied ${res.statusCode}`,
        {
          statusCode: res.statusCode,
          details: p.details ?? {},
        },
      )
    if (res.statusCode === 503 && (p.code === 'SOLVER_BUSY' || p.code === 'SOLVER_SHUTTING_DOWN'))
      throw new AppError(p.code, p.message ?? 'solver busy', { statusCode: 503 })
    if (res.statusCode === 504)
      throw new AppError('SOLVER_TIMEOUT', p.message ?? 'solver timed out', { statusCode: 504 })
    throw new AppError('SOLVER_UNAVAILABLE', `the solver service replied HTTP ${res.statusCode}`, {
      statusCode: 503,
      details: { upstreamStatus: res.statusCode, upstreamCode: p.code },
    })
  }

  return {
    solve(doc, callOpts = {}) {
      const q = callOpts.fullState ? '?full_state=true' : ''
      return call<SolveReply>('POST', `/solve${q}`, doc, callOpts, [200, 422])
    },
    buildState(doc, callOpts) {
      return call<SolvedProperty[]>('POST', '/build_state', doc, callOpts)
    },
    analyze(doc, callOpts) {
      return call<AnalyzeReply>('POST', '/analyze', doc, callOpts)
    },
    catalogue(callOpts) {
      catalogueCache ??= call<Catalogue>('GET', '/catalogue', undefined, callOpts).catch(
        (e: unknown) => {
          catalogueCache = undefined
          throw e
        },
      )
      return catalogueCache
    },
    envelope(pkg, compound, callOpts) {
      const q = new URLSearchParams({ package: pkg, ...(compound ? { compound } : {}) })
      return call<Envelope>('GET', `/envelope?${q}`, undefined, callOpts)
    },
    async close() {
      await pool.close()
    },
  }
}
