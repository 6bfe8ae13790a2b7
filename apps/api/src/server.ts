/**
 * Running the API as a process: listen, warm up (readiness), and shut down gracefully.
 *
 * SIGTERM / SIGINT: readiness turns 503 at once; the listener closes (no new connections; idle
 * keep-alive connections are closed, requests arriving on busy ones get 503 + Connection: close);
 * in-flight requests finish within SHUTDOWN_GRACE_MS (then the remaining connections are cut);
 * the solver and the database pool close; the process exits 0.
 *
 * The embedded database (PGlite) is single-process: `holdDataDir` writes `<DATA_DIR>/rere.pid` so
 * `rere backup`, `rere restore` and `rere migrate` refuse to open a folder a server holds.
 */
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Solver } from '@rere/contract'
import { AppError } from '@rere/contract'
import { buildApp, type BuildAppOptions } from './app.ts'
import type { ApiConfig } from './config.ts'
import type { Database } from './db/index.ts'

export interface RunningServer {
  app: FastifyInstance
  /** http://host:port actually bound */
  url: string
  /** graceful shutdown (what SIGTERM does, without exiting) */
  shutdown(reason?: string): Promise<void>
}

export interface StartServerOptions {
  config: ApiConfig
  database: Database
  solver: Solver
  webDist?: string
  /** install SIGTERM/SIGINT handlers that shut down and exit 0 (default true) */
  handleSignals?: boolean
  /** extra routes (tests) */
  configure?: BuildAppOptions['configure']
  /** called after shutdown, before exit (e.g. release the data-folder lock) */
  onClosed?: () => void | Promise<void>
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { config, database, solver } = opts
  const app = await buildApp({
    config,
    database,
    solver,
    webDist: opts.webDist,
    configure: opts.configure,
  })
  await app.listen({ port: config.port, host: config.host })
  const addr = app.server.address()
  const port = typeof addr === 'object' && addr ? addr.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `http://${host}:${port}`

  let closing: Promise<void> | null = null
  const shutdown = (reason = 'shutdown') => {
    closing ??= (async () => {
      const { readiness } = app.rere
      readiness.shuttingDown = true
      app.log.info({ reason, graceMs: config.shutdownGraceMs }, 'shutting down')
      const force = setTimeout(() => {
        app.log.warn('grace period over: closing the remaining connections')
        app.server.closeAllConnections()
      }, config.shutdownGraceMs)
      force.unref()
      // keep-alive connections whose last request just finished: close them as they go idle
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100)
      sweep.unref()
      try {
        await app.close()
      } finally {
        clearTimeout(force)
        clearInterval(sweep)
      }
      await solver.close().catch((e) => app.log.error({ err: e }, 'solver close failed'))
      await database.close().catch((e) => app.log.error({ err: e }, 'database close failed'))
      await opts.onClosed?.()
      app.log.info('closed')
    })()
    return closing
  }

  if (opts.handleSignals !== false) {
    for (const sig of ['SIGTERM', 'SIGINT'] as const)
      process.once(sig, () => {
        void shutdown(sig).then(
          () => process.exit(0),
          (e) => {
            app.log.error({ err: e }, 'shutdown failed')
            process.exit(1)
          },
        )
      })
  }

  // warm up now, so the first request after /api/ready/ is as fast as the rest
  const t0 = performance.now()
  const warmed = await app.rere.readiness.warmUp()
  app.log.info(
    { url, warmed, warmUpMs: Math.round(performance.now() - t0), db: database.kind },
    warmed ? 'ready' : 'listening (not ready yet: see /api/ready/)',
  )
  return { app, url, shutdown }
}

const PID_FILE = 'rere.pid'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid of the live process holding `dataDir`, or null. */
export function dataDirHolder(dataDir: string): number | null {
  const file = join(resolve(dataDir), PID_FILE)
  if (!existsSync(file)) return null
  const pid = Number(readFileSync(file, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null
  return alive(pid) ? pid : null
}

/** Take the embedded database folder for this process; throws DATA_DIR_BUSY when held. */
export function holdDataDir(dataDir: string): () => void {
  const pid = dataDirHolder(dataDir)
  if (pid !== null)
    throw new AppError(
      'DATA_DIR_BUSY',
      `${resolve(dataDir)} is in use by process ${pid} (a running rere start / rere api); stop it first or reach it over HTTP (--url)`,
      { statusCode: 409, details: { field: 'DATA_DIR', pid } },
    )
  mkdirSync(dataDir, { recursive: true })
  const file = join(resolve(dataDir), PID_FILE)
  writeFileSync(file, String(process.pid))
  let released = false
  const release = () => {
    if (released) return
    released = true
    try {
      if (existsSync(file) && readFileSync(file, 'utf8').trim() === String(process.pid))
        rmSync(file)
    } catch {
      /* already gone */
    }
  }
  process.once('exit', release)
  return release
}
