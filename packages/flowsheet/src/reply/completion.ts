/**
 * The completion payload `{status, error, timing, log, flowsheet: {id, properties}}` of `/solve`,
 * with every property id of the document, named and united as the Ahuora service does
 * (SI pint units from the catalogue, values as one-element lists for time-indexed variables).
 */
import type {
  PortState,
  SolveReply,
  SolveTiming,
  SolvedProperty,
  SolverErrorInfo,
  UnitResult,
} from '@rere/contract'
import type { FlowsheetModel, PortModel, Spec, UnitModel } from '../document/model.ts'
import { expressionName, portPropertyName, unitPropertyName } from './names.ts'

/** Where a spec lives, handed to the value lookup. */
export interface SpecPlace {
  unit: UnitModel
  /** the port, for port properties; undefined for unit properties */
  port?: PortModel
}

/**
 * SI value of a document property after the solve (or null when not available, e.g. the solve
 * failed before reaching it). B2's solver implements it from its solution.
 */
export type ValueLookup = (spec: Spec, place: SpecPlace) => number | null

export interface CompletionInput {
  model: FlowsheetModel
  /** null: report the document's own values (e.g. a failed solve) */
  lookup: ValueLookup | null
  status: 'success' | 'error'
  error?: SolverErrorInfo | null
  timing: SolveTiming
  log?: string[]
  ports?: PortState[]
  unitResults?: UnitResult[]
  versions?: SolveReply['versions']
}

function clean(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : v
}

/** Build the `flowsheet.properties` list: document order, one entry per id (the last wins). */
export function collectProperties(
  model: FlowsheetModel,
  lookup: ValueLookup | null,
): SolvedProperty[] {
  const out = new Map<number, SolvedProperty>()
  const valueOf = new Map<number, number | null>()
  const put = (spec: Spec, place: SpecPlace, name: string): void => {
    const v = clean(lookup ? lookup(spec, place) : spec.value)
    valueOf.set(spec.id, v)
    out.set(spec.id, {
      id: spec.id,
      name,
      value: v === null ? null : [v],
      unit: spec.unitSI,
      unknown_units: false,
    })
  }
  for (const unit of model.units) {
    for (const s of unit.specs) put(s, { unit }, unitPropertyName(unit, s))
    for (const port of unit.ports)
      for (const s of port.specs) put(s, { unit, port }, portPropertyName(unit, port, s))
  }
  if (model.expressions.length) {
    const compiled = model.formulas.expressions
    for (const e of model.expressions) {
      const f = compiled.get(e.id)
      if (!f) continue
      let missing = false
      const v = f.evaluate((id) => {
        const x = valueOf.get(id)
        if (x === null || x === undefined) missing = true
        return x ?? Number.NaN
      })
      const val = missing ? null : clean(v)
      out.set(e.id, {
        id: e.id,
        name: expressionName(e.name, e.id),
        value: val === null ? null : [val],
        unit: f.unitSI,
        unknown_units: true,
      })
    }
  }
  return [...out.values()]
}

/** The completion payload of `/solve`. */
export function buildCompletion(input: CompletionInput): SolveReply {
  const reply: SolveReply = {
    status: input.status,
    error: input.error ?? null,
    timing: input.timing,
    log: input.log ?? [],
    flowsheet: { id: input.model.id, properties: collectProperties(input.model, input.lookup) },
  }
  if (input.ports) reply.ports = input.ports
  if (input.unitResults) reply.unitResults = input.unitResults
  if (input.versions) reply.versions = input.versions
  return reply
}
