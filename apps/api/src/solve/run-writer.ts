/**
 * Stores solve runs with group commit, one statement at a time: the runs that finish while a write
 * is in flight, in the same event-loop turn, or while announced solves are still under way (see
 * `expect`) go to the database together, as one statement that inserts them and
 * checks each run's sheet (owner, and the version it solved when the caller asks). Under load that
 * is one round trip and one commit for many solves; a lone solve costs exactly one statement.
 * Nothing is updated in place, so concurrent solves of one sheet never wait on each other's row
 * locks.
 *
 * Older runs are deleted in the background (a sheet's runs beyond `keep`, except its newest
 * successful run), by one statement for every sheet solved since the last prune, at most every
 * `pruneEveryMs` (and, where asked, a `vacuum` of the table every `vacuumEvery` pruned runs).
 * Readers never see the extra runs meanwhile: the run history lists only the
 * runs that pruning keeps (see `keptRunsFilter`).
 */
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../flowsheets/access.ts'

export interface RunRow {
  flowsheetId: number
  userId: number
  /** the flowsheet version that was solved */
  version: number
  /** store only while the sheet is still at `version` (the solve used a cached sheet) */
  requireVersion: boolean
  status: 'success' | 'error'
  timing: unknown
  error: unknown
  /** the stored reply, serialised (JSON object text) */
  resultJson: string
  solverVersion: string
  packageVersion: unknown
  /** property id -> SI value (success only) */
  computed: Record<string, number> | null
}

/** The stored run's id, or why it was not stored. */
export type RunOutcome = { id: number } | { missing: 'sheet' | 'version' }

interface Pending {
  row: RunRow
  resolve: (o: RunOutcome) => void
  reject: (e: unknown) => void
}

export class RunWriter {
  #queue: Pending[] = []
  #inFlight = 0
  #scheduled = false
  /** solves under way that will store a run (see `expect`) */
  #coming = 0
  #waitTimer: NodeJS.Timeout | undefined
  /** sheets with runs stored since the last prune */
  #dirty = new Set<number>()
  #pruneTimer: NodeJS.Timeout | undefined
  #pruning: Promise<void> | undefined
  /** runs deleted since the last vacuum */
  #deleted = 0

  /**
   * @param keep runs kept per flowsheet (plus its newest successful run when that is older)
   * @param opts.maxBatch runs per statement
   * @param opts.maxWaitMs how long a run may wait for the solves under way to join its batch
   * @param opts.pruneEveryMs delay between a stored run and the prune that follows it
   * @param opts.onError where a failed background prune is reported (the next one retries it)
   * @param opts.vacuumEvery vacuum solve_runs after this many runs were pruned (for a database
   *   without autovacuum: PGlite has none, so its pruned runs' space is never reused otherwise)
   */
  constructor(
    private readonly db: Db,
    private readonly keep: number,
    private readonly opts: {
      maxBatch?: number
      maxWaitMs?: number
      pruneEveryMs?: number
      onError?: (e: unknown) => void
      vacuumEvery?: number
    } = {},
  ) {}

  /**
   * Announce a solve whose run will be stored: while such solves are under way, a queued run
   * waits for them (at most `maxWaitMs`) so that they share one statement (solves that finish
   * one after another, each before the previous run's write started, would otherwise store one
   * run per statement). `write` (or `cancel` when the solve fails) ends the announcement.
   */
  expect(): { cancel(): void; done: boolean } {
    this.#coming++
    const ticket = {
      done: false,
      cancel: () => {
        if (ticket.done) return
        ticket.done = true
        this.#coming--
        this.#schedule()
      },
    }
    return ticket
  }

  write(row: RunRow, ticket?: { done: boolean }): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ row, resolve, reject })
      if (ticket && !ticket.done) {
        ticket.done = true
        this.#coming--
      }
      this.#schedule()
    })
  }

  #schedule() {
    if (this.#scheduled || this.#queue.length === 0 || this.#inFlight > 0) return
    const maxBatch = this.opts.maxBatch ?? 64
    if (this.#coming > 0 && this.#queue.length < maxBatch) {
      // more runs are on their way: let them join, within the time limit
      this.#waitTimer ??= setTimeout(() => {
        this.#waitTimer = undefined
        this.#start()
      }, this.opts.maxWaitMs ?? 2)
      return
    }
    this.#start()
  }

  #start() {
    if (this.#waitTimer) {
      clearTimeout(this.#waitTimer)
      this.#waitTimer = undefined
    }
    if (this.#scheduled || this.#queue.length === 0 || this.#inFlight > 0) return
    this.#scheduled = true
    // runs completing in this event-loop turn join the batch
    setImmediate(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush() {
    if (this.#queue.length === 0 || this.#inFlight > 0) return
    const batch = this.#take()
    this.#inFlight++
    this.#store(batch)
      .then(
        (outcomes) => {
          batch.forEach((p, i) => p.resolve(outcomes[i]))
          for (const p of batch) this.#dirty.add(p.row.flowsheetId)
          this.#schedulePrune()
        },
        (e: unknown) => batch.forEach((p) => p.reject(e)),
      )
      .finally(() => {
        this.#inFlight--
        this.#schedule()
      })
  }

  #take(): Pending[] {
    return this.#queue.splice(0, this.opts.maxBatch ?? 64)
  }

  #schedulePrune() {
    if (this.#pruneTimer || this.#pruning || this.#dirty.size === 0) return
    this.#pruneTimer = setTimeout(() => {
      this.#pruneTimer = undefined
      void this.prune()
    }, this.opts.pruneEveryMs ?? 200)
    this.#pruneTimer.unref()
  }

  /** Delete the runs pruning does not keep, of every sheet solved since the last prune. */
  prune(): Promise<void> {
    if (this.#pruneTimer) {
      clearTimeout(this.#pruneTimer)
      this.#pruneTimer = undefined
    }
    if (this.#pruning) return this.#pruning.then(() => this.prune())
    if (this.#dirty.size === 0) return Promise.resolve()
    const sheets = [...this.#dirty]
    this.#dirty = new Set()
    this.#pruning = sql`
      delete from solve_runs d using (
        select b.fs, (${cutoff(sql`b.fs`, this.keep)}) as cutoff, (${newestSuccess(sql`b.fs`)}) as ok
        from unnest(${sheets}::bigint[]) as b(fs)) k
      where d.flowsheet_id = k.fs and d.id < k.cutoff and d.id <> coalesce(k.ok, 0)`
      .execute(this.db)
      .then(
        async (r) => {
          this.#deleted += Number(r.numAffectedRows ?? 0)
          const every = this.opts.vacuumEvery ?? 0
          if (every > 0 && this.#deleted >= every) {
            this.#deleted = 0
            await sql`vacuum solve_runs`.execute(this.db)
          }
        },
        (e: unknown) => {
          for (const id of sheets) this.#dirty.add(id)
          this.opts.onError?.(e)
        },
      )
      .catch((e: unknown) => this.opts.onError?.(e))
      .finally(() => {
        this.#pruning = undefined
        this.#schedulePrune()
      })
    return this.#pruning
  }

  /** Store what is queued and prune (shutdown). */
  async close(): Promise<void> {
    while (this.#queue.length > 0 || this.#inFlight > 0) {
      this.#start()
      await new Promise((r) => setImmediate(r))
    }
    await this.prune()
  }

  async #store(batch: Pending[]): Promise<RunOutcome[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#statement(batch)
      } catch (e) {
        const code = (e as { code?: string }).code
        // deadlock / serialization failure, or a sheet deleted between the check and the insert
        // (the retry's check leaves it out)
        if (attempt < 3 && (code === '40P01' || code === '40001' || code === '23503')) continue
        throw e
      }
    }
  }

  async #statement(batch: Pending[]): Promise<RunOutcome[]> {
    if (batch.length === 1) return [await this.#single(batch[0].row)]
    // the runs' small fields as one JSON array; each serialised reply is a parameter of its own
    const runs = JSON.stringify(
      batch.map(({ row: r }, i) => ({
        ord: i,
        fs: r.flowsheetId,
        uid: r.userId,
        ver: r.version,
        rv: r.requireVersion,
        status: r.status,
        timing: r.timing,
        error: r.error ?? null,
        solver: r.solverVersion,
        pkg: r.packageVersion ?? {},
        computed: r.computed,
      })),
    )
    const results = sql.join(
      batch.map(({ row }, i) => sql`(${sql.lit(i)}, ${row.resultJson}::json)`),
    )
    // One statement (atomic, one round trip): the runs whose sheet is still the caller's (and at
    // the solved version when asked) get ids and are inserted. The small fields are read by
    // json_to_recordset; the replies, a few KiB each, arrive as separate json parameters, so
    // PostgreSQL reads each once (inside the array it would validate it as a parameter, then
    // parse it again). The commit does not wait for the WAL flush (synchronous_commit off for
    // this transaction only, no session state): a crash can lose the last fraction of a second
    // of solve runs, never corrupt them.
    const r = await sql<{ ord: number; id: string | null; sheet: boolean }>`
      with v as materialized (
        select i.*, res.result, f.id is not null as sheet,
          case when f.id is not null and (not i.rv or f.version = i.ver)
            then nextval('solve_runs_id_seq'::regclass) end as id,
          set_config('synchronous_commit', 'off', true) as cfg
        from json_to_recordset(${runs}::json) as i(ord int, fs bigint, uid bigint, ver int,
          rv boolean, status text, timing jsonb, error jsonb, solver text, pkg jsonb,
          computed jsonb)
        join (values ${results}) as res(ord, result) on res.ord = i.ord
        left join flowsheets f on f.id = i.fs and f.owner_id = i.uid
      ), ins as (
        insert into solve_runs (id, flowsheet_id, user_id, status, flowsheet_version, timing,
          error, result, solver_version, package_version, computed)
        select v.id, v.fs, v.uid, v.status, v.ver, coalesce(v.timing, '{}'), v.error, v.result,
          v.solver, v.pkg, v.computed
        from v where v.id is not null
      )
      select v.ord, v.id::text, v.sheet from v`.execute(this.db)
    const byOrd = new Map(r.rows.map((row) => [row.ord, row]))
    return batch.map((_, i) => {
      const row = byOrd.get(i)
      if (!row) throw new Error(`solve run ${i} of a batch of ${batch.length} has no outcome`)
      return row.id !== null
        ? { id: Number(row.id) }
        : { missing: row.sheet ? ('version' as const) : ('sheet' as const) }
    })
  }

  /**
   * One run (nothing to group it with): a plain INSERT ... SELECT, which PostgreSQL parses and
   * plans in a fraction of the batch statement's time (it matters most in the embedded
   * database, which runs on this thread); when it inserts nothing, a second query tells a missing
   * sheet from a changed one.
   */
  async #single(r: RunRow): Promise<RunOutcome> {
    const inserted = await sql<{ id: string }>`
      insert into solve_runs (flowsheet_id, user_id, status, flowsheet_version, timing, error,
        result, solver_version, package_version, computed)
      select f.id, f.owner_id, ${r.status}, ${r.version}, ${JSON.stringify(r.timing ?? {})},
        ${r.error == null ? null : JSON.stringify(r.error)}, ${r.resultJson}::json,
        ${r.solverVersion}, ${JSON.stringify(r.packageVersion ?? {})},
        ${r.computed === null ? null : JSON.stringify(r.computed)}
      from flowsheets f, set_config('synchronous_commit', 'off', true)
      where f.id = ${r.flowsheetId} and f.owner_id = ${r.userId}
        ${r.requireVersion ? sql`and f.version = ${r.version}` : sql``}
      returning id`.execute(this.db)
    const row = inserted.rows[0]
    if (row) return { id: Number(row.id) }
    const sheet = await sql`select 1 from flowsheets
      where id = ${r.flowsheetId} and owner_id = ${r.userId}`.execute(this.db)
    return { missing: sheet.rows.length > 0 ? 'version' : 'sheet' }
  }
}

/** The id of the oldest of the newest `keep` runs of sheet `fs` (null when it has fewer). */
const cutoff = (fs: RawBuilder<unknown>, keep: number) =>
  sql`select s.id from solve_runs s where s.flowsheet_id = ${fs}
    order by s.id desc offset ${keep - 1} limit 1`

/** The id of sheet `fs`'s newest successful run (null when none). */
const newestSuccess = (fs: RawBuilder<unknown>) =>
  sql`select s.id from solve_runs s where s.flowsheet_id = ${fs} and s.status = 'success'
    order by s.id desc limit 1`

/**
 * Whether run `id` of sheet `flowsheetId` is one that pruning keeps: among the sheet's newest
 * `keep` runs, or its newest successful run. The ordered index scans on (flowsheet_id, id desc)
 * start at the newest end, so runs awaiting deletion cost nothing here.
 */
export function keptRunsFilter(id: RawBuilder<unknown>, flowsheetId: number, keep: number) {
  const fs = sql`${flowsheetId}::bigint`
  return sql<boolean>`(${id} >= coalesce((${cutoff(fs, keep)}), 0)
    or ${id} = coalesce((${newestSuccess(fs)}), 0))`
}
