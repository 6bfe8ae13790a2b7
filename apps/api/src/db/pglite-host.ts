/**
 * The embedded database on a thread of its own: a worker (pglite-worker.mjs) owns the PGlite
 * and runs the wire-protocol messages that PGliteWire hands it. PostgreSQL's work (parsing,
 * planning, executing, writing) then runs beside the API's HTTP handling and solving rather than
 * inside its event loop, and statements queue while one runs, as with a separate server, so the
 * run writer's group commit gathers the runs that finish meanwhile.
 */
import { Worker } from 'node:worker_threads'

interface Reply {
  id: number
  bytes?: Uint8Array
  serverVersion?: string
  error?: { message: string; code?: string }
}

export class PGliteHost {
  readonly #worker: Worker
  readonly #waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>()
  #next = 1
  #failed: Error | undefined
  #closed = false
  serverVersion = '17'

  private constructor(dataDir: string | undefined) {
    this.#worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
      workerData: { dataDir: dataDir ?? null },
    })
    this.#worker.on('message', (r: Reply) => {
      const w = this.#waiting.get(r.id)
      if (!w) return
      this.#waiting.delete(r.id)
      if (r.error) w.reject(Object.assign(new Error(r.error.message), { code: r.error.code }))
      else w.resolve(r)
    })
    const fail = (e: Error) => {
      this.#failed ??= e
      for (const w of this.#waiting.values()) w.reject(e)
      this.#waiting.clear()
    }
    this.#worker.on('error', fail)
    this.#worker.on('exit', (code) =>
      fail(
        new Error(
          this.#closed
            ? 'the embedded database is closed'
            : `the embedded database's thread exited (code ${code})`,
        ),
      ),
    )
  }

  /** Start the thread and open the database in `dataDir` (in memory when undefined). */
  static async start(dataDir?: string): Promise<PGliteHost> {
    const host = new PGliteHost(dataDir)
    try {
      const ready = await host.#await(0)
      host.serverVersion = ready.serverVersion ?? host.serverVersion
      return host
    } catch (e) {
      host.#closed = true
      await host.#worker.terminate()
      throw e
    }
  }

  #await(id: number): Promise<Reply> {
    if (this.#failed) return Promise.reject(this.#failed)
    if (this.#closed && id !== 0)
      return Promise.reject(new Error('the embedded database is closed'))
    return new Promise((resolve, reject) => this.#waiting.set(id, { resolve, reject }))
  }

  #request(op: string, bytes?: Uint8Array, extra?: Record<string, string>): Promise<Reply> {
    const id = this.#next++
    const reply = this.#await(id)
    if (!this.#failed) {
      if (bytes) {
        // a copy of just the view, moved rather than cloned
        const own = new Uint8Array(bytes)
        this.#worker.postMessage({ id, op, bytes: own }, [own.buffer])
      } else this.#worker.postMessage({ id, op, ...extra })
    }
    return reply
  }

  /** Run whole frontend messages; resolves with the backend's reply bytes. */
  async run(bytes: Uint8Array): Promise<Uint8Array> {
    return (await this.#request('run', bytes)).bytes ?? new Uint8Array(0)
  }

  /**
   * A connection ended: roll back a transaction it left open, and free the statements it prepared
   * (named with `statementPrefix`).
   */
  async endSession(statementPrefix?: string): Promise<void> {
    if (this.#closed || this.#failed) return
    await this.#request(
      'endSession',
      undefined,
      statementPrefix ? { prefix: statementPrefix } : undefined,
    )
  }

  /** The data folder as a gzipped tar (`rere backup`). */
  async dump(): Promise<Uint8Array> {
    return (await this.#request('dump')).bytes ?? new Uint8Array(0)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    try {
      if (!this.#failed) await this.#request('close')
    } finally {
      this.#closed = true
      await this.#worker.terminate()
    }
  }
}
