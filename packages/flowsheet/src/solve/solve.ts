import {
  AppError,
  type AnalyzeReply,
  type PortState,
  type SolveReply,
  type UnitResult,
} from '@rere/contract'
import { evaluateAll } from '@rere/unit-ops'
import type { FlowsheetModel } from '../document/model.ts'
import { buildSystem, type Built } from './build.ts'
import { getCompiled, putCompiled, shapeKey } from './cache.ts'
import { addConstraints, type Formulas } from './constraints.ts'
import { initialize } from './init.ts'
import { rowScales, solveBlocks } from './newton-blocks.ts'
import { analyzeStructure, type Structure } from './structure.ts'
import { specValue } from './values.ts'
import { collectProperties } from '../reply/completion.ts'

export const SOLVER_VERSION = 'rere-eo 0.1.0'

export interface SolveOptions {
  fullState?: boolean
  /** epoch ms */
  deadlineMs?: number
}

class Timer {
  t0 = performance.now()
  last = this.t0
  phases: Record<string, number> = {}
  lap(name: string) {
    const now = performance.now()
    this.phases[name] = (this.phases[name] ?? 0) + (now - this.last)
    this.last = now
  }
  total() {
    return performance.now() - this.t0
  }
}

export interface Prepared {
  built: Built
  formulas: Formulas
  structure: Structure
}

/** Build the equation system and analyse its structure (no solve). */
export function prepare(model: FlowsheetModel): Prepared {
  const key = shapeKey(model)
  const hit = key === null ? null : getCompiled(key, model)
  if (hit) return hit
  const built = buildSystem(model)
  const formulas = addConstraints(built)
  const structure = analyzeStructure(built)
  const prep = { built, formulas, structure }
  if (key !== null) putCompiled(key, prep)
  return prep
}

export function analyzeModel(model: FlowsheetModel, timer = new Timer()): AnalyzeReply {
  const { structure } = prepare(model)
  timer.lap('analyze')
  return {
    status: structure.status,
    dof: structure.dof,
    message: structure.message,
    units: structure.units,
    timing: { totalMs: timer.total(), phases: timer.phases },
  }
}

function errorReply(
  model: FlowsheetModel | null,
  code: string,
  message: string,
  details: Record<string, unknown>,
  timer: Timer,
  log: string[],
  versions?: SolveReply['versions'],
): SolveReply {
  return {
    status: 'error',
    error: { code, message, details },
    timing: { totalMs: timer.total(), phases: timer.phases },
    log,
    flowsheet: { id: model ? model.id : 0, properties: [] },
    ...(versions ? { versions } : {}),
  }
}

/** Solve a parsed flowsheet. Returns status 'error' for DOF, structural and convergence failures. */
export function solveModel(
  model: FlowsheetModel,
  opts: SolveOptions = {},
  timer = new Timer(),
): SolveReply {
  const log: string[] = []
  let prep: Prepared
  try {
    prep = prepare(model)
  } catch (e) {
    if (e instanceof AppError && e.statusCode < 500 && e.code.startsWith('THERMO_'))
      return errorReply(model, e.code, e.message, e.details ?? {}, timer, log)
    throw e
  }
  const { built, structure } = prep
  const versions = {
    solver: SOLVER_VERSION,
    propertyPackages: Object.fromEntries([...built.pkgs].map(([k, p]) => [k, p.version])),
  }
  timer.lap('analyze')
  if (built.droppedBalances.length)
    log.push(
      `closed loop: dropped the redundant mass balance of unit(s) ${built.droppedBalances.join(', ')}`,
    )
  for (const c of built.circulating)
    log.push(`closed loop: circulating flow fixed at its guess (${c})`)
  if (structure.problem) {
    const p = structure.problem
    return errorReply(
      model,
      p.code,
      p.message,
      {
        unitId: p.unitId,
        unitName: p.unitName,
        variables: p.variables,
        dof: structure.dof,
        units: structure.units.filter((u) => u.status !== 'square'),
      },
      timer,
      log,
      versions,
    )
  }
  const { sys } = built
  const x = sys.values()
  try {
    initialize(built, x)
  } catch (e) {
    if (!(e instanceof AppError)) throw e
  }
  timer.lap('initialize')
  const res = solveBlocks(sys, structure, x, { deadline: opts.deadlineMs })
  timer.lap('newton')
  if (!res.converged) {
    const largest = largestResiduals(built, x, res.failedRows.length ? res.failedRows : undefined)
    if (res.reason === 'timeout')
      return errorReply(
        model,
        'SOLVER_TIMEOUT',
        'The solve did not finish before its deadline',
        { largestResiduals: largest },
        timer,
        log,
        versions,
      )
    const top = largest[0]
    if (top && top.error && res.iterations === 0)
      return errorReply(
        model,
        top.error.code,
        `${top.unitName}: the property package cannot evaluate ${top.equation} at the initial point: ${top.error.message}`,
        {
          ...top.error.details,
          unitId: top.unitId,
          unitName: top.unitName,
          equation: top.equation,
        },
        timer,
        log,
        versions,
      )
    return errorReply(
      model,
      'SOLVER_NO_CONVERGENCE',
      `Newton did not converge (${res.reason})${top ? `: largest residual ${(top.residual ?? NaN).toPrecision(4)} ${top.unit} in ${top.unitName}: ${top.equation}` : ''}`,
      {
        reason: res.reason,
        iterations: res.iterations,
        largestResiduals: largest,
        unitId: top?.unitId ?? null,
        unitName: top?.unitName ?? '',
      },
      timer,
      log,
      versions,
    )
  }
  // final check on the whole system
  const allRows = sys.eqs.map((_, i) => i)
  const sc = rowScales(sys, allRows, x)
  const r = evaluateAll(sys, x)
  let worst = 0
  for (let i = 0; i < r.length; i++) worst = Math.max(worst, Math.abs(r[i] * sc[i]))
  if (!(worst <= 1e-8)) {
    const largest = largestResiduals(built, x)
    return errorReply(
      model,
      'SOLVER_NO_CONVERGENCE',
      'The solution does not satisfy every equation',
      { largestResiduals: largest },
      timer,
      log,
      versions,
    )
  }
  log.push(
    `solved: ${sys.eqs.length} equations, ${res.blocks} blocks (largest ${res.largestBlock}), ${res.iterations} Newton iterations`,
  )
  const properties = collectProperties(model, (spec) => specValue(built, spec, x))
  // metastable states are never returned silently: each one is named in the log
  const ports = portStates(built, x)
  for (const p of ports)
    if (p.metastable)
      log.push(
        `warning: ${p.unitName}.${p.port} is metastable (${p.metastable}): T = ${p.temperature.toFixed(3)} K, P = ${p.pressure} Pa`,
      )
  timer.lap('report')
  const reply: SolveReply = {
    status: 'success',
    error: null,
    timing: { totalMs: 0, phases: timer.phases, iterations: res.iterations },
    log,
    flowsheet: { id: model.id, properties },
    versions,
  }
  if (opts.fullState) {
    reply.ports = ports
    reply.unitResults = unitResults(built, x)
  }
  timer.lap('report')
  reply.timing.totalMs = timer.total()
  return reply
}

function largestResiduals(b: Built, x: Float64Array, rows?: number[]) {
  const { sys } = b
  const list = rows ?? sys.eqs.map((_, i) => i)
  const sc = rowScales(sys, list, x)
  const out = list.map((i, k) => {
    const e = sys.eqs[i]
    let r = NaN
    let error: { code: string; message: string; details: Record<string, unknown> } | null = null
    try {
      r = e.f(x, null)
    } catch (err) {
      if (err instanceof AppError)
        error = { code: err.code, message: err.message, details: err.details ?? {} }
    }
    return {
      unitId: e.unitId,
      unitName: e.unitName,
      equation: e.name,
      residual: r,
      unit: e.unit,
      scaled: Math.abs(r * sc[k]),
      error,
    }
  })
  const key = (o: { scaled: number }) => (Number.isNaN(o.scaled) ? Infinity : o.scaled)
  out.sort((a, b) => key(b) - key(a))
  return out
    .slice(0, 5)
    .map((o) => ({ ...o, residual: Number.isFinite(o.residual) ? o.residual : null }))
}

function portStates(b: Built, x: Float64Array): PortState[] {
  const out: PortState[] = []
  for (const info of b.ports.values()) {
    const s = info.stream
    let st
    try {
      st = s.props(x).state
    } catch {
      continue
    }
    out.push({
      portId: info.port.id,
      unitId: info.unit.id,
      unitName: info.unit.name,
      port: info.port.name,
      temperature: st.T,
      pressure: x[s.P],
      flowMol: x[s.F],
      flowMass: x[s.F] * s.pkg.molarMass,
      enthMol: x[s.h],
      entrMol: st.s,
      vaporFrac: st.x,
      phase: st.phase,
      densMass: st.rho,
      arcId: info.arc ? info.arc.id : null,
      ...(st.metastable ? { metastable: st.metastable } : {}),
    })
  }
  return out
}

function unitResults(b: Built, x: Float64Array): UnitResult[] {
  const out: UnitResult[] = []
  for (const unit of b.model.units) {
    const op = b.unitOps.get(unit.id)
    if (!op) continue
    const values: Record<string, number> = {}
    const units: Record<string, string> = {}
    for (const [k, i] of Object.entries(op.vars)) {
      values[k] = x[i]
      units[k] = b.sys.vars[i].unit
    }
    out.push({ unitId: unit.id, name: unit.name, type: unit.type, values, units })
  }
  return out
}

export { Timer }
