/**
 * The `Solver` port: how the API reaches the solver. Two adapters implement it:
 *  - HTTP to `SOLVER_URL` (distributed mode; apps/api), calling the solver service's routes;
 *  - the in-process worker pool of apps/solver-service (embedded mode; `rere start`).
 * The API imports neither `flowsheet` nor `thermo`: only this interface.
 *
 * Documents on the wire are the Ahuora IDAES service's `FlowsheetSchema` (see docs/solver-format.md).
 */

/** One property value in a completion payload (SI pint units, as the Ahuora service replies). */
export interface SolvedProperty {
  id: number
  name: string
  value: number | number[] | null
  unit: string
  unknown_units?: boolean
}

export type Phase = 'liquid' | 'vapor' | 'supercritical' | 'two-phase'

/** Full state of one port, returned when `fullState` is requested. SI units. */
export interface PortState {
  portId: number
  unitId: number
  unitName: string
  port: string
  /** temperature [K] */ temperature: number
  /** pressure [Pa] */ pressure: number
  /** molar flow [mol/s] */ flowMol: number
  /** mass flow [kg/s] */ flowMass: number
  /** molar enthalpy [J/mol] */ enthMol: number
  /** molar entropy [J/mol/K] */ entrMol: number
  /** vapour fraction [-]; null above the critical point */ vaporFrac: number | null
  phase: Phase
  /** mass density [kg/m3] */ densMass: number
  /** the arc (stream) joining this port, if any */ arcId?: number | null
  /** set when the state is metastable (e.g. liquid below the ice melting line) */
  metastable?: 'supercooled-liquid'
}

/** Results of one unit: work [W] (positive into the fluid), heat duty [W], and others by name. */
export interface UnitResult {
  unitId: number
  name: string
  type: string
  /** e.g. { work_mechanical: 3707.5, work_fluid: 1853.8, heat_duty: ..., deltaP: ... } in SI */
  values: Record<string, number>
  units: Record<string, string>
}

export interface SolveTiming {
  /** total wall time in the solver [ms] */ totalMs: number
  /** per phase [ms]: parse, analyze, initialize, newton, report ... */ phases: Record<
    string,
    number
  >
  iterations?: number
}

export interface SolverErrorInfo {
  code: string
  message: string
  details: Record<string, unknown>
}

/** The completion payload of `/solve` (HTTP 200 when solved, 422 with status 'error'). */
export interface SolveReply {
  status: 'success' | 'error'
  error: SolverErrorInfo | null
  timing: SolveTiming
  log: string[]
  flowsheet: { id: number | string; properties: SolvedProperty[] }
  /** present when requested (`fullState`) or always from Rere's solver */
  ports?: PortState[]
  unitResults?: UnitResult[]
  versions?: { solver: string; propertyPackages: Record<string, string> }
}

export type DofStatus = 'underspecified' | 'square' | 'overspecified' | 'singular'

export interface UnitDof {
  unitId: number
  name: string
  type: string
  dof: number
  status: DofStatus
  message: string
  /** variables that could be fixed (under) or specifications in conflict (over/singular) */
  variables: string[]
}

export interface AnalyzeReply {
  status: DofStatus
  dof: number
  message: string
  units: UnitDof[]
  timing?: SolveTiming
}

/** Catalogue entry of one unit type (`GET /catalogue`). */
export interface CatalogueProperty {
  key: string
  displayName: string
  unit: string
  /** default value in `unit`, or null when computed by default */
  default: number | null
  /** fixed by default (a specification) or computed */
  fixed: boolean
  /** IDAES quantity kind: temperature, pressure, ... (drives unit selectors) */
  quantity: string
}
export interface CatalogueEntry {
  type: string
  displayName: string
  description: string
  ports: { name: string; direction: 'inlet' | 'outlet'; properties: CatalogueProperty[] }[]
  properties: CatalogueProperty[]
  /** configuration arguments such as num_inlets */
  args?: Record<string, number | string | boolean>
}
export interface Catalogue {
  units: CatalogueEntry[]
  propertyPackages: { name: string; compounds: string[]; version: string }[]
}

/** Saturation curve for plots (`GET /envelope?package=helmholtz`). SI units. */
export interface EnvelopePoint {
  T: number
  P: number
  rhoLiq: number
  rhoVap: number
  hLiq: number
  hVap: number
  sLiq: number
  sVap: number
}
export interface Envelope {
  package: string
  compound: string
  critical: { T: number; P: number; rho: number; h: number; s: number }
  points: EnvelopePoint[]
}

export interface SolverCallOptions {
  /** propagated as `x-request-id` to the solver service and its logs */
  requestId?: string
  /** abort (client gone, timeout) */
  signal?: AbortSignal
  /** return every port's full state and every unit's results */
  fullState?: boolean
  /**
   * Names the document's content: calls with the same key send the same document (the API uses
   * user, flowsheet and version). An in-process adapter remembers what solving it cost and may
   * solve a document known to be quick in the calling thread (SOLVER_INLINE_MAX_MS); others
   * ignore it.
   */
  docKey?: string
}

export interface Solver {
  /** Solve a FlowsheetSchema document. Resolves with the completion payload for solved AND
   * unsolvable sheets (status 'error'); rejects with an AppError (400) for malformed documents. */
  solve(doc: unknown, opts?: SolverCallOptions): Promise<SolveReply>
  /** `/build_state`: a state-block request; the bare list of properties, as upstream. */
  buildState(doc: unknown, opts?: SolverCallOptions): Promise<SolvedProperty[]>
  /** DOF and structural analysis without solving. */
  analyze(doc: unknown, opts?: SolverCallOptions): Promise<AnalyzeReply>
  catalogue(opts?: SolverCallOptions): Promise<Catalogue>
  envelope(pkg: string, compound?: string, opts?: SolverCallOptions): Promise<Envelope>
  /** release workers / sockets */
  close(): Promise<void>
}
