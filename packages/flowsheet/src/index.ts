/**
 * @rere/flowsheet public API (briefs/SOLVER-API.md): parse, analyse and solve Ahuora
 * FlowsheetSchema documents with the equation-oriented solver.
 */
import type { AnalyzeReply, Envelope, SolveReply, SolvedProperty } from '@rere/contract'
import { getPropertyPackage } from '@rere/thermo'
import { parseFlowsheet } from './document/parse.ts'
import { buildState as buildStateReply } from './reply/state.ts'
import {
  analyzeModel,
  solveModel,
  Timer,
  SOLVER_VERSION,
  type SolveOptions,
} from './solve/solve.ts'
import { setPackageResolver } from './solve/packages.ts'

export type * from './document/model.ts'
export { parseFlowsheet, parseStateBlock } from './document/parse.ts'
export { getCatalogue } from './catalogue/index.ts'
export {
  SOLVER_VERSION,
  solveModel,
  analyzeModel,
  prepare,
  type SolveOptions,
} from './solve/solve.ts'
export { setPackageResolver, type PackageResolver } from './solve/packages.ts'

setPackageResolver((name, compound) => getPropertyPackage(name, compound))

/**
 * Solve a FlowsheetSchema document. Throws AppError (400) for a malformed document; returns a
 * reply with status 'error' for degrees-of-freedom, structural and convergence failures.
 */
export function solveDocument(doc: unknown, opts: SolveOptions = {}): SolveReply {
  const timer = new Timer()
  const model = parseFlowsheet(doc)
  timer.lap('parse')
  return solveModel(model, opts, timer)
}

/** DOF and structural analysis without solving. Throws AppError (400) for malformed documents. */
export function analyzeDocument(doc: unknown): AnalyzeReply {
  const timer = new Timer()
  const model = parseFlowsheet(doc)
  timer.lap('parse')
  return analyzeModel(model, timer)
}

/** `/build_state`: a state block request; the bare list of properties. */
export function buildState(doc: unknown): SolvedProperty[] {
  return buildStateReply(doc)
}

/** Saturation envelope of a property package (`/envelope`). */
export function getEnvelope(pkg: string, compound?: string): Envelope {
  return getPropertyPackage(pkg, compound ?? 'water').envelope()
}

export const FLOWSHEET_SOLVER = SOLVER_VERSION
