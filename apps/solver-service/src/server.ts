/**
 * `rere solver`: the pool, the routes, readiness after warm-up, and graceful shutdown.
 * On SIGTERM the service reports not-ready, stops accepting connections, finishes the solves in
 * flight (up to SHUTDOWN_GRACE_MS), stops the workers and resolves `closed` (exit code 0).
 */
import { buildSolverApp, type SolverApp } from './app.ts'
import type { SolverConfig } from './config.ts'
import { createInProcessSolver, type InProcessSolver } from './pool.ts'
import { SOLVER_SERVICE_VERSION } from './version.ts'

export interface RunningSolverService {
  app: SolverApp
  solver: InProcessSolver
  url: string
  /** stop accepting, drain, stop workers; resolves true when drained within the grace period */
  shutdown(): Promise<boolean>
}

export async function startSolverService(config: SolverConfig): Promise<RunningSolverService> {
  const solver = createInProcessSolver({
    workers: config.workers,
    timeoutMs: config.timeoutMs,
    maxQueue: config.maxQueue,
    onWorkerError: (err) => app.log.error({ err }, 'solver worker failed'),
  })
  let ready = false
  const app = await buildSolverApp({
    solver,
    stats: () => solver.stats(),
    bodyLimitBytes: config.bodyLimitBytes,
    logLevel: config.logLevel,
    isReady: () => ready,
    version: SOLVER_SERVICE_VERSION,
  })
  const url = await app.listen({ port: config.port, host: config.host })
  app.log.info({ workers: config.workers }, 'warming up')
  const t0 = performance.now()
  await solver.warmUp()
  ready = true
  app.log.info({ warmUpMs: Math.round(performance.now() - t0) }, 'ready')

  let closing: Promise<boolean> | undefined
  return {
    app,
    solver,
    url,
    shutdown() {
      closing ??= (async () => {
        ready = false
        const drained = await app.drain(config.shutdownGraceMs)
        await app.close()
        await solver.close()
        return drained
      })()
      return closing
    },
  }
}
