/**
 * Solve orchestration: load the sheet, build the solver document, call the Solver port, store
 * the run and its results in one statement (old runs are pruned in the background), reply with every stream's full
 * state and every unit's results in SI and in the user's units. Every request solves; runs of
 * one sheet are independent (no lock on the flowsheet); the latest completed run is current.
 */
import type { Kysely } from 'kysely'
import {
  AppError,
  isAppError,
  type PortState,
  type SolveReply,
  type Solver,
  type SolverErrorInfo,
} from '@rere/contract'
import type { DB } from '../db/schema.ts'
import { notFound, ownedFlowsheet } from '../flowsheets/access.ts'
import { kindFor, valueFromSI } from '../properties/units.ts'
import {
  SheetCache,
  buildSolverDocument,
  loadSheet,
  streamEnds,
  type Sheet,
  type SheetProperty,
} from './document.ts'
import { RunWriter, type RunOutcome, type RunRow } from './run-writer.ts'

type Display = Record<string, { value: number | null; unit: string }>

export interface StreamResult {
  streamId: number
  name: string
  temperature: number
  pressure: number
  flowMol: number
  flowMass: number
  enthMol: number
  entrMol: number
  vaporFrac: number | null
  phase: string
  densMass: number
  display: Display
}

export interface SolveResult {
  id?: number
  flowsheetId: number
  flowsheetVersion: number
  status: 'success' | 'error'
  error: SolverErrorInfo | null
  timing: { totalMs: number; solverMs: number; phases: Record<string, number> }
  streams: StreamResult[]
  units: {
    unitId: number
    name: string
    type: string
    values: Record<string, number>
    unitsSI: Record<string, string>
    display: Display
  }[]
  properties: {
    id: number
    key: string
    valueSI: number | null
    unitSI: string
    value: number | null
    unit: string
  }[]
  versions: { solver: string; propertyPackages: Record<string, string> }
  log: string[]
  document?: unknown
}

/** PortState field -> (property key, SI unit) of a stream. */
const STATE_FIELDS: [keyof PortState, string, string][] = [
  ['temperature', 'temperature', 'K'],
  ['pressure', 'pressure', 'Pa'],
  ['flowMol', 'flow_mol', 'mol/s'],
  ['flowMass', 'flow_mass', 'kg/s'],
  ['enthMol', 'enth_mol', 'J/mol'],
  ['entrMol', 'entr_mol', 'J/K/mol'],
  ['vaporFrac', 'vapor_frac', 'dimensionless'],
  ['densMass', 'dens_mass', 'kg/m**3'],
]

function displayOf(valueSI: number | null, siUnit: string, key: string, prop?: SheetProperty) {
  if (valueSI === null || !prop || prop.unit === '') return { value: valueSI, unit: siUnit }
  try {
    return {
      value: valueFromSI(valueSI, prop.unit, prop.quantity || kindFor(key, prop.unit)),
      unit: prop.unit,
    }
  } catch {
    return { value: valueSI, unit: siUnit }
  }
}

const first = (v: number | number[] | null | undefined): number | null =>
  Array.isArray(v) ? (v[0] ?? null) : (v ?? null)

/** Assemble the API's solve result from the sheet and the solver's reply. */
export function assembleResult(
  sheet: Sheet,
  reply: SolveReply,
  totalMs: number,
): { result: SolveResult; computed: Map<number, number> } {
  const byObject = new Map<number, Map<string, SheetProperty>>()
  for (const p of sheet.props) {
    let m = byObject.get(p.objectId)
    if (!m) byObject.set(p.objectId, (m = new Map()))
    m.set(p.key, p)
  }
  const solved = new Map<number, number>()
  for (const sp of reply.flowsheet?.properties ?? []) {
    const v = first(sp.value)
    if (typeof v === 'number' && Number.isFinite(v)) solved.set(sp.id, v)
  }
  const portState = new Map<number, PortState>()
  for (const ps of reply.ports ?? []) portState.set(ps.portId, ps)

  const streams: StreamResult[] = []
  const ends = streamEnds(sheet)
  for (const o of sheet.objects) {
    if (o.type !== 'stream') continue
    const e = ends.get(o.id)
    const st =
      (e?.source !== undefined ? portState.get(e.source) : undefined) ??
      (e?.destination !== undefined ? portState.get(e.destination) : undefined)
    if (!st) continue
    const props = byObject.get(o.id)
    const display: Display = {}
    for (const [field, key, si] of STATE_FIELDS) {
      const v = st[field] as number | null
      display[field] = displayOf(v, si, key, props?.get(key))
      // stream properties not returned by id get their value from the port's full state
      const p = props?.get(key)
      if (p && !solved.has(p.id) && typeof v === 'number') solved.set(p.id, v)
    }
    streams.push({
      streamId: o.id,
      name: o.name,
      temperature: st.temperature,
      pressure: st.pressure,
      flowMol: st.flowMol,
      flowMass: st.flowMass,
      enthMol: st.enthMol,
      entrMol: st.entrMol,
      vaporFrac: st.vaporFrac,
      phase: st.phase,
      densMass: st.densMass,
      display,
    })
  }
  const unitNames = new Map(sheet.objects.map((o) => [o.id, o]))
  const units = (reply.unitResults ?? []).map((u) => {
    const props = byObject.get(u.unitId)
    const display: Display = {}
    for (const [k, v] of Object.entries(u.values)) {
      display[k] = displayOf(v, u.units?.[k] ?? '', k, props?.get(k))
      const p = props?.get(k)
      if (p && !solved.has(p.id) && Number.isFinite(v)) solved.set(p.id, v)
    }
    return {
      unitId: u.unitId,
      name: unitNames.get(u.unitId)?.name ?? u.name,
      type: u.type,
      values: u.values,
      unitsSI: u.units ?? {},
      display,
    }
  })
  const properties = sheet.props.map((p) => {
    const valueSI = solved.get(p.id) ?? p.valueSI
    let value: number | null = p.value
    if (solved.has(p.id) && valueSI !== null) {
      try {
        value = valueFromSI(valueSI, p.unit, p.quantity || kindFor(p.key, p.unit))
      } catch {
        value = valueSI
      }
    }
    return { id: p.id, key: p.key, valueSI, unitSI: p.unitSI, value, unit: p.unit }
  })
  return {
    result: {
      flowsheetId: sheet.flowsheet.id,
      flowsheetVersion: sheet.flowsheet.version,
      status: reply.status,
      error: reply.error ?? null,
      timing: {
        totalMs,
        solverMs: reply.timing?.totalMs ?? 0,
        phases: reply.timing?.phases ?? {},
      },
      streams,
      units,
      properties,
      versions: reply.versions ?? { solver: 'unknown', propertyPackages: {} },
      log: reply.log ?? [],
    },
    computed: solved,
  }
}

export interface SolveOptions {
  requestId?: string
  signal?: AbortSignal
  debug?: boolean
}

export class SolveService {
  private readonly sheets = new SheetCache()
  private readonly runs: RunWriter
  constructor(
    private readonly db: Kysely<DB>,
    private readonly solver: Solver,
    runsKept: number,
    opts: {
      onPruneError?: (e: unknown) => void
      /** the embedded database (PGlite), which has no autovacuum */
      embedded?: boolean
    } = {},
  ) {
    this.runs = new RunWriter(db, runsKept, {
      ...(opts.onPruneError ? { onError: opts.onPruneError } : {}),
      // pruned runs' space is made reusable every 1000 runs (a vacuum of a few ms)
      ...(opts.embedded ? { vacuumEvery: 1000 } : {}),
    })
  }

  /** Store the runs still queued and prune old ones. */
  close(): Promise<void> {
    return this.runs.close()
  }

  async document(userId: number, flowsheetId: number) {
    const sheet = await loadSheet(this.db, userId, flowsheetId)
    if (!sheet) throw notFound('Flowsheet', flowsheetId)
    return buildSolverDocument(sheet)
  }

  async analyze(userId: number, flowsheetId: number, opts: SolveOptions = {}) {
    const doc = await this.document(userId, flowsheetId)
    return this.solver.analyze(doc, callOpts(opts))
  }

  /**
   * Solve the sheet and store the run. A sheet solved before is taken from memory and the run is
   * stored only if the sheet has not changed since (checked in the storing statement, so a
   * repeated solve costs one database round trip); when it has, the sheet is loaded and solved
   * again.
   */
  async solve(
    userId: number,
    flowsheetId: number,
    opts: SolveOptions = {},
  ): Promise<{ id: number; status: SolveResult['status']; json: string }> {
    const t0 = performance.now()
    let sheet = this.sheets.get(userId, flowsheetId)
    for (let attempt = 0; ; attempt++) {
      const cached = sheet !== undefined
      if (!sheet) {
        sheet = await loadSheet(this.db, userId, flowsheetId)
        if (!sheet) {
          this.sheets.delete(userId, flowsheetId)
          throw notFound('Flowsheet', flowsheetId, 'flowsheet_id')
        }
        this.sheets.set(userId, sheet)
      }
      const ticket = this.runs.expect()
      let outcome: RunOutcome
      let stored: Omit<SolveResult, 'document'>
      let document: unknown
      let resultJson: string
      try {
        const solved = await this.solveSheet(sheet, opts, t0)
        // the result is serialised once: stored as is, and sent with the run id in front
        const { document: doc, ...rest } = solved.result
        document = doc
        stored = rest
        resultJson = JSON.stringify(stored)
        outcome = await this.runs.write(runRow(userId, sheet, solved, resultJson, cached), ticket)
      } finally {
        ticket.cancel() // no-op once the run was handed over
      }
      if ('id' in outcome) {
        const extra = document === undefined ? '' : `,"document":${JSON.stringify(document)}`
        return {
          id: outcome.id,
          status: stored.status,
          json: `{"id":${outcome.id},${resultJson.slice(1, -1)}${extra}}`,
        }
      }
      this.sheets.delete(userId, flowsheetId)
      // deleted (or given away) while solving
      if (outcome.missing === 'sheet' || attempt > 0)
        throw notFound('Flowsheet', flowsheetId, 'flowsheet_id')
      sheet = undefined
    }
  }

  private async solveSheet(sheet: Sheet, opts: SolveOptions, t0: number) {
    const doc = buildSolverDocument(sheet)
    let reply: SolveReply
    try {
      reply = await this.solver.solve(doc, {
        ...callOpts(opts),
        fullState: true,
        // the same sheet at the same version builds the same document
        docKey: `${sheet.flowsheet.id}:${sheet.flowsheet.version}`,
      })
    } catch (e) {
      // a document the solver rejects as malformed is this sheet's problem, not a crash
      if (isAppError(e) && e.statusCode === 400) reply = rejected(e)
      else throw e
    }
    const { result, computed } = assembleResult(sheet, reply, 0)
    if (opts.debug) result.document = doc
    // load + solve + assemble; the store's own time is not in the stored result
    result.timing.totalMs = round3(performance.now() - t0)
    return { result, reply, computed }
  }

  async ensureOwned(userId: number, flowsheetId: number) {
    await ownedFlowsheet(this.db, flowsheetId, userId)
  }
}

function runRow(
  userId: number,
  sheet: Sheet,
  {
    result,
    reply,
    computed,
  }: { result: SolveResult; reply: SolveReply; computed: Map<number, number> },
  resultJson: string,
  requireVersion: boolean,
): RunRow {
  const success = result.status === 'success' && computed.size > 0
  return {
    flowsheetId: sheet.flowsheet.id,
    userId,
    version: sheet.flowsheet.version,
    requireVersion,
    status: result.status,
    timing: result.timing,
    error: result.error,
    resultJson,
    solverVersion: result.versions.solver,
    packageVersion: reply.versions?.propertyPackages ?? {},
    computed: success ? Object.fromEntries(computed) : null,
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

function callOpts(o: SolveOptions) {
  return {
    ...(o.requestId === undefined ? {} : { requestId: o.requestId }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  }
}

function rejected(e: AppError): SolveReply {
  return {
    status: 'error',
    error: { code: e.code, message: e.message, details: e.details ?? {} },
    timing: { totalMs: 0, phases: {} },
    log: [],
    flowsheet: { id: 0, properties: [] },
  }
}

export { AppError }
