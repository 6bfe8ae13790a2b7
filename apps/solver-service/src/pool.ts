/**
 * The in-process adapter of the `Solver` port: a pool of worker threads (Piscina) running the
 * flowsheet solver. Used by the solver service's HTTP routes and, in embedded mode
 * (`rere start`), directly by the API.
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
import { Piscina } from 'piscina'
import { buildWorkerBundle, type WorkerBundle } from './bundle.ts'
import type { SolverTask, TaskOutcome } from './task-types.ts'
import { warmUpDocument } from './warmup-doc.ts'

/** how many documents' solve times are remembered for `inlineMaxMs` (least recently used go) */
const REMEMBERED_DOCS = 4096

export interface InProcessSolverOptions {
  /** worker threads (default 1) */
  workers?: number
  /** time limit of one task [ms]; the solver stops itself at the limit, the worker is
   * terminated if it overruns by a further second */
  timeoutMs?: number
  /** tasks waiting for a worker before SOLVER_BUSY (default 256) */
  maxQueue?: number
  /** called when a worker thread fails outside a task (e.g. cannot load); default: ignored,
   * the affected task is rejected and Piscina starts a new worker */
  onWorkerError?: (error: unknown) => void
  /**
   * Solve a document in the calling thread, without the hand-off to a worker, when the caller
   * names it (`SolverCallOptions.docKey`) and its previous solve took at most this long [ms].
   * A worker thread costs two thread hand-offs and two copies of the document and the reply,
   * which for a small sheet take longer than the solve itself. The calling thread is blocked for
   * the solve's duration, so keep this small; 0 (the default) turns it off.
   */
  inlineMaxMs?: number
}

export interface PoolStats {
  workers: number
  inFlight: number
  queued: number
  completed: number
  /** solves run in the calling thread (see `inlineMaxMs`) */
  inline: number
}

export interface InProcessSolver extends Solver {
  readonly workers: number
  stats(): PoolStats
  /** one solve of the Rere pump sheet on every worker (loads property data, JIT-compiles) */
  warmUp(): Promise<void>
}

const aborted = (cause?: unknown) =>
  new AppError('SOLVER_ABORTED', 'the request was cancelled', { statusCode: 499, cause })

export function createInProcessSolver(opts: InProcessSolverOptions = {}): InProcessSolver {
  const workers = Math.max(1, opts.workers ?? 1)
  const timeoutMs = opts.timeoutMs ?? 10_000
  const inlineMaxMs = Math.max(0, opts.inlineMaxMs ?? 0)
  // The worker bundle is built once, when the pool starts; tasks wait for it.
  let bundle: WorkerBundle | undefined
  let piscina: Piscina | undefined
  /** the bundle's task function loaded into this thread, for inline solves */
  let inlineTask: ((task: SolverTask) => TaskOutcome) | undefined
  const poolReady: Promise<Piscina> = buildWorkerBundle().then(async (b) => {
    bundle = b
    if (inlineMaxMs > 0) {
      const mod = (await import(b.url)) as { default: (task: SolverTask) => TaskOutcome }
      inlineTask = mod.default
    }
    piscina = new Piscina({
      filename: b.url,
      minThreads: workers,
      maxThreads: workers,
      maxQueue: opts.maxQueue ?? 256,
      idleTimeout: 2 ** 31 - 1,
      concurrentTasksPerWorker: 1,
    })
    // a worker that fails to load or dies: fail its task (Piscina rejects it), never the process
    piscina.on('error', (e: unknown) => {
      opts.onWorkerError?.(e)
    })
    return piscina
  })
  poolReady.catch(() => undefined)
  let inFlight = 0
  let completed = 0
  let inline = 0
  let closed = false
  /** docKey -> how long its last solve took [ms], least recently used first */
  const solveMs = new Map<string, number>()
  function remember(key: string, ms: number) {
    solveMs.delete(key)
    solveMs.set(key, ms)
    if (solveMs.size > REMEMBERED_DOCS) solveMs.delete(solveMs.keys().next().value!)
  }

  function outcomeValue<T>(outcome: TaskOutcome): T {
    if (outcome.ok) return outcome.value as T
    const { code, message, statusCode, details } = outcome.error
    throw new AppError(code, message, { statusCode, details })
  }

  /** A solve in this thread: same task, same outcome as in a worker, no thread hand-off. */
  function solveInline(
    run: (task: SolverTask) => TaskOutcome,
    task: SolverTask,
    key: string,
    lastMs: number,
    callOpts: SolverCallOptions,
  ): SolveReply {
    if (callOpts.signal?.aborted) throw aborted()
    inFlight++
    inline++
    const t0 = performance.now()
    let outcome: TaskOutcome
    try {
      outcome = run(task)
    } finally {
      inFlight--
      completed++
    }
    // Wall time overstates a solve the machine preempted; one such solve at most doubles what
    // is remembered, so a busy machine does not send a quick sheet back to the workers, while
    // one that really became slow (a cold cache in this thread) leaves after a few solves.
    // (CPU time would not overstate, but process.cpuUsage() costs more than the solve on some
    // virtual machines.)
    remember(key, Math.min(performance.now() - t0, 2 * lastMs))
    return outcomeValue<SolveReply>(outcome)
  }
  let catalogueCache: Promise<Catalogue> | undefined
  const envelopeCache = new Map<string, Promise<Envelope>>()

  async function run<T>(task: SolverTask, callOpts: SolverCallOptions = {}): Promise<T> {
    if (closed)
      throw new AppError('SOLVER_SHUTTING_DOWN', 'the solver is shutting down', { statusCode: 503 })
    const pool = await poolReady
    const hard = AbortSignal.timeout(timeoutMs + 1000)
    const signal = callOpts.signal ? AbortSignal.any([hard, callOpts.signal]) : hard
    inFlight++
    let outcome: TaskOutcome
    try {
      outcome = (await pool.run(task, { signal })) as TaskOutcome
    } catch (e) {
      if (hard.aborted)
        throw new AppError('SOLVER_TIMEOUT', `the solve took longer than ${timeoutMs} ms`, {
          statusCode: 504,
          details: { timeoutMs },
          cause: e,
        })
      if (callOpts.signal?.aborted) throw aborted(e)
      const msg = e instanceof Error ? e.message : String(e)
      if (/queue is at limit/i.test(msg))
        throw new AppError('SOLVER_BUSY', 'every solver worker is busy and the queue is full', {
          statusCode: 503,
          cause: e,
        })
      throw new AppError('SOLVER_INTERNAL', msg, { statusCode: 500, cause: e })
    } finally {
      inFlight--
      completed++
    }
    return outcomeValue<T>(outcome)
  }

  const solver: InProcessSolver = {
    workers,
    async solve(doc, callOpts = {}) {
      const task: SolverTask = {
        op: 'solve',
        doc,
        fullState: callOpts.fullState ?? false,
        deadlineMs: Date.now() + timeoutMs,
      }
      const key = callOpts.docKey
      if (key === undefined || inlineMaxMs === 0) return run<SolveReply>(task, callOpts)
      const lastMs = solveMs.get(key)
      if (inlineTask && !closed && lastMs !== undefined && lastMs <= inlineMaxMs)
        return solveInline(inlineTask, task, key, lastMs, callOpts)
      const reply = await run<SolveReply>(task, callOpts)
      // the solver's own time in the worker, without the hand-offs
      if (typeof reply.timing?.totalMs === 'number') remember(key, reply.timing.totalMs)
      return reply
    },
    buildState(doc, callOpts) {
      return run<SolvedProperty[]>({ op: 'buildState', doc }, callOpts)
    },
    analyze(doc, callOpts) {
      return run<AnalyzeReply>({ op: 'analyze', doc }, callOpts)
    },
    catalogue(callOpts) {
      catalogueCache ??= run<Catalogue>({ op: 'catalogue' }, callOpts).catch((e: unknown) => {
        catalogueCache = undefined
        throw e
      })
      return catalogueCache
    },
    envelope(pkg, compound, callOpts) {
      const key = `${pkg}:${compound ?? ''}`
      let hit = envelopeCache.get(key)
      if (!hit) {
        hit = run<Envelope>({ op: 'envelope', package: pkg, compound }, callOpts)
        hit.catch(() => envelopeCache.delete(key))
        envelopeCache.set(key, hit)
      }
      return hit
    },
    stats() {
      return { workers, inFlight, queued: piscina?.queueSize ?? 0, completed, inline }
    },
    async warmUp() {
      const replies = await Promise.all(
        Array.from({ length: workers }, () => this.solve(warmUpDocument(), { fullState: true })),
      )
      // the inline path's first solve loads the property data and compiles in this thread
      await poolReady
      if (inlineTask) {
        const warm = outcomeValue<SolveReply>(
          inlineTask({
            op: 'solve',
            doc: warmUpDocument(),
            fullState: true,
            deadlineMs: Date.now() + timeoutMs,
          }),
        )
        replies.push(warm)
      }
      const bad = replies.find((r) => r.status !== 'success')
      if (bad)
        throw new AppError('SOLVER_WARMUP_FAILED', `warm-up solve failed: ${bad.error?.message}`, {
          statusCode: 500,
        })
      await this.catalogue()
    },
    async close() {
      closed = true
      const pool = await poolReady.catch(() => undefined)
      await pool?.close()
      bundle?.dispose()
    },
  }
  return solver
}
