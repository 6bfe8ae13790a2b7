import { dulmageMendelsohn, type Block, type DmDecomposition } from '@rere/numerics'
import type { UnitDof, DofStatus } from '@rere/contract'
import type { Built } from './build.ts'

export interface Structure {
  /** free variable indices (columns) */
  cols: number[]
  colOf: Int32Array
  /** incidence rows over columns */
  rows: number[][]
  dm: DmDecomposition
  status: DofStatus
  dof: number
  units: UnitDof[]
  message: string
  /** block-triangular order (computed by the first solve) */
  blocks?: Block[]
  /** the first problem found, for the error reply */
  problem: {
    code: string
    unitId: number | null
    unitName: string
    variables: string[]
    message: string
  } | null
}

/**
 * Degrees of freedom and structural analysis (maximum matching + Dulmage-Mendelsohn) of the
 * whole sheet, attributed to units: an unmatched variable is one that could be fixed, an
 * over-determined equation names the specifications in conflict.
 */
export function analyzeStructure(b: Built): Structure {
  const { sys } = b
  const colOf = new Int32Array(sys.vars.length).fill(-1)
  const cols: number[] = []
  sys.vars.forEach((v, i) => {
    if (!v.fixed) {
      colOf[i] = cols.length
      cols.push(i)
    }
  })
  const rows = sys.eqs.map((e) => {
    const r: number[] = []
    for (const v of e.vars) {
      const c = colOf[v]
      if (c >= 0 && !r.includes(c)) r.push(c)
    }
    return r
  })
  const dm = dulmageMendelsohn(rows, cols.length)
  const dof = cols.length - sys.eqs.length

  // per-unit DOF: free variables owned by the unit minus its equations
  const units: UnitDof[] = []
  const freeBy = new Map<number, number>()
  const eqBy = new Map<number, number>()
  for (const c of cols) {
    const u = sys.vars[c].unitId
    if (u !== null) freeBy.set(u, (freeBy.get(u) ?? 0) + 1)
  }
  for (const e of sys.eqs) if (e.unitId !== null) eqBy.set(e.unitId, (eqBy.get(e.unitId) ?? 0) + 1)
  const underByUnit = new Map<number, string[]>()
  const overByUnit = new Map<number, string[]>()
  for (const c of dm.underCols) {
    const v = sys.vars[cols[c]]
    if (v.unitId === null) continue
    const l = underByUnit.get(v.unitId) ?? []
    l.push(v.name)
    underByUnit.set(v.unitId, l)
  }
  // over-determined rows: name the equations, and the specs (fixed variables) they involve
  for (const r of dm.overRows) {
    const e = sys.eqs[r]
    const names: string[] = []
    for (const v of e.vars) {
      const fx = b.fixedBy.get(v)
      if (fx) names.push(fx.label)
    }
    if (e.kind === 'spec') names.push(e.name)
    for (const v of e.vars) if (!sys.vars[v].fixed) names.push(sys.vars[v].name)
    const u = e.unitId
    if (u === null) continue
    const l = overByUnit.get(u) ?? []
    for (const n of names) if (!l.includes(n)) l.push(n)
    overByUnit.set(u, l)
  }
  for (const unit of b.model.units) {
    const under = underByUnit.get(unit.id) ?? []
    const over = overByUnit.get(unit.id) ?? []
    const d = (freeBy.get(unit.id) ?? 0) - (eqBy.get(unit.id) ?? 0)
    let status: DofStatus = 'square'
    let message = 'fully specified'
    let variables: string[] = []
    if (over.length && under.length) {
      status = 'singular'
      variables = [...over, ...under]
      message = `structurally singular: ${over.join(', ')} over-determine while ${under.join(', ')} stay free`
    } else if (over.length) {
      status = 'overspecified'
      variables = over
      message = `over-specified: specifications in conflict: ${over.join(', ')}`
    } else if (under.length) {
      status = 'underspecified'
      variables = under
      message = `under-specified: fix one of ${under.join(', ')}`
    }
    units.push({
      unitId: unit.id,
      name: unit.name,
      type: unit.type,
      dof: d,
      status,
      message,
      variables,
    })
  }
  let status: DofStatus = 'square'
  let problem: Structure['problem'] = null
  const overU = units.filter((u) => u.status === 'overspecified' || u.status === 'singular')
  const underU = units.filter((u) => u.status === 'underspecified' || u.status === 'singular')
  if (dof > 0 || (dm.unmatchedCols.length > 0 && dm.unmatchedRows.length === 0))
    status = 'underspecified'
  else if (dof < 0 || (dm.unmatchedRows.length > 0 && dm.unmatchedCols.length === 0))
    status = 'overspecified'
  else if (dm.unmatchedRows.length > 0) status = 'singular'
  if (status !== 'square') {
    const code =
      status === 'underspecified'
        ? 'FLOWSHEET_UNDERSPECIFIED'
        : status === 'overspecified'
          ? 'FLOWSHEET_OVERSPECIFIED'
          : 'FLOWSHEET_SINGULAR'
    const pickFrom =
      status === 'underspecified'
        ? underU
        : status === 'overspecified'
          ? overU
          : [...overU, ...underU]
    const u = pickFrom[0]
    const variables = u ? u.variables : []
    const what =
      status === 'underspecified'
        ? `${dof > 0 ? dof : dm.unmatchedCols.length} degree(s) of freedom left`
        : status === 'overspecified'
          ? `${dof < 0 ? -dof : dm.unmatchedRows.length} specification(s) too many`
          : 'square but structurally singular'
    problem = {
      code,
      unitId: u ? u.unitId : null,
      unitName: u ? u.name : '',
      variables,
      message: `Flowsheet is ${status === 'singular' ? 'structurally singular' : status} (${what})${u ? `: ${u.name} is ${u.message}` : ''}`,
    }
  }
  return {
    cols,
    colOf,
    rows,
    dm,
    status,
    dof,
    units,
    message: problem ? problem.message : 'Flowsheet is fully specified (0 degrees of freedom)',
    problem,
  }
}
