/**
 * The parsed flowsheet model: what `parseFlowsheet(doc)` returns after validating an Ahuora
 * `FlowsheetSchema` document (see docs/solver-format.md). Every number is SI; every element
 * keeps the JSON path of the place it came from so later stages (DOF analysis, solve) can name
 * it in errors (`details.path`).
 *
 * Owner: helper B1 (document). Consumers: packages/flowsheet/src/solve/** (B2), reply builder.
 */
import type { CompiledFormula } from '../expressions/compile.ts'

/** A property package the document refers to, resolved to one Rere supports. */
export interface PackageRef {
  /** key used by units and ports, e.g. 'helmholtz:water', 'if97:water' */
  key: string
  /** name for `getPropertyPackage(name, compound)` of @rere/thermo */
  name: 'helmholtz' | 'if97'
  compound: 'water'
  /** the document's package id (-1 = the default package) */
  docId: number
}

/** Quantity kinds (drive unit checks and the editor's unit selectors); see @rere/units. */
export type QuantityKind = string

/** One property value from the document (one element of `properties.<key>.data[]`), in SI. */
export interface Spec {
  /** property-value id (its own namespace, separate from port ids); may repeat in upstream data */
  id: number
  /** IDAES name: 'pressure', 'enth_mol', 'flow_mol', 'temperature', 'vapor_frac', 'efficiency_pump', 'deltaP', ... */
  key: string
  /** value in SI (the catalogue's `unitSI`); null = compute it */
  value: number | null
  /** true: the value only seeds the solve (it is not a specification) */
  guess: boolean
  /** pint spelling of the SI unit for the reply ('Pa', 'J/mol', 'kg*m**2/s**3', 'dimensionless' ...) */
  unitSI: string
  /** the unit string the document used (null when absent/empty) */
  unitIn: string | null
  /** quantity kind from the catalogue ('pressure', 'temperature', 'dimensionless', ...) */
  kind: QuantityKind
  /** set-point: this spec's value is achieved by freeing the property with this id */
  controlled: number | null
  /** unit-aware formula over `id_N` that this property must equal (see ../expressions) */
  constraint: string | null
  /** discrete indexes, e.g. ['h2o'] for mole_frac_comp, ['outlet_1'] for a header's split_flow */
  indexes: string[]
  /** JSON path, e.g. 'unit_models[0].ports.inlet.properties.pressure.data[0]' */
  path: string
}

export interface PortModel {
  id: number
  /** port name as in the document: 'inlet', 'outlet_2', 'hot_side_inlet', 'splitter.vent' ... */
  name: string
  direction: 'inlet' | 'outlet'
  /** resolved package of the material at this port (heat exchangers have one per side) */
  packageKey: string
  specs: Spec[]
  /** id of the arc joined to this port, or null for a feed / product */
  arcId: number | null
  path: string
}

export interface UnitModel {
  id: number
  /** unit type as in the catalogue: 'pump', 'compressor', 'heater', 'heatExchanger', ... */
  type: string
  name: string
  /** configuration args, normalised: num_inlets / num_outlets are numbers when present */
  args: Record<string, unknown>
  /** resolved property package (for a heat exchanger: the hot side's) */
  packageKey: string
  /** unit-level properties */
  specs: Spec[]
  ports: PortModel[]
  /** upstream `initial_values` (IDAES to_json of a previous solve), for warm starts; or null */
  initialValues: Record<string, unknown> | null
  path: string
}

export interface ArcModel {
  id: number
  /** outlet port id */
  source: number
  /** inlet port id */
  destination: number
  /** upstream `tear_guess`: which state variables of the destination's values seed a tear */
  tearGuess: Record<string, boolean> | null
  path: string
}

export interface ExpressionModel {
  id: number
  name: string
  expression: string
  path: string
}

export interface FlowsheetModel {
  id: number | string
  name: string
  description: string
  /** every package used, by key ('helmholtz:water') */
  packages: Record<string, PackageRef>
  units: UnitModel[]
  arcs: ArcModel[]
  expressions: ExpressionModel[]
  /** port id -> its unit and port */
  portById: Map<number, { unit: UnitModel; port: PortModel }>
  /** property-value id -> every spec with that id (upstream data repeats ids now and then) */
  specsById: Map<number, Spec[]>
  /** formulas compiled while validating (see ../expressions/README.md) */
  formulas: {
    /** top-level expressions by id, references to other expressions inlined */
    expressions: Map<number, CompiledFormula>
    /** the `constraint` of each spec that has one */
    constraints: Map<Spec, CompiledFormula>
  }
  raw: unknown
}

/** A `/build_state` request: one state block of a package with its property values. */
export interface StateBlockModel {
  id: number | string
  name: string
  package: PackageRef
  /** e.g. 'PP_3' (the upstream state block is `fs.PP_<packageId>_state`) */
  blockName: string
  specs: Spec[]
  raw: unknown
}
