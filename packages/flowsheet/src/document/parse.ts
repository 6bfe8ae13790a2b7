/**
 * Validation and parsing of the Ahuora `FlowsheetSchema` wire format (and of `/build_state`
 * requests) into the SI model of model.ts. Every rejection is an AppError (400) with a stable
 * code and `details.path`, the JSON path of the offending element (docs/solver-format.md).
 */
import { AppError } from '@rere/contract'
import { QUANTITY_KINDS, parseUnit, toSIKind, type Dim } from '@rere/units'
import {
  UNSUPPORTED_TYPES,
  getStreamProperty,
  getUnitType,
  type PortDef,
  type PropertyDef,
} from '../catalogue/catalogue.ts'
import {
  checkConstraintDim,
  compileExpressions,
  compileFormula,
  type CompiledFormula,
} from '../expressions/compile.ts'
import type {
  ArcModel,
  ExpressionModel,
  FlowsheetModel,
  PackageRef,
  PortModel,
  Spec,
  StateBlockModel,
  UnitModel,
} from './model.ts'

type Obj = Record<string, unknown>

export function fail(code: string, message: string, path: string, extra: Obj = {}): never {
  throw new AppError(code, path ? `${message} (at ${path})` : message, {
    details: { path, ...extra },
  })
}

const invalid = (message: string, path: string, extra: Obj = {}): never =>
  fail('FLOWSHEET_INVALID', message, path, extra)

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function obj(v: unknown, path: string, what = 'an object'): Obj {
  if (!isObj(v)) invalid(`expected ${what}, got ${describe(v)}`, path)
  return v as Obj
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'string'
    ? `the string "${v.slice(0, 40)}"`
    : `${typeof v} ${JSON.stringify(v)}`
}

function int(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || !Number.isSafeInteger(v)) {
    invalid(`expected an integer id, got ${describe(v)}`, path)
  }
  return v as number
}

function str(v: unknown, path: string, dflt?: string): string {
  if ((v === undefined || v === null) && dflt !== undefined) return dflt
  if (typeof v !== 'string') invalid(`expected a string, got ${describe(v)}`, path)
  return v as string
}

function bool(v: unknown, path: string, dflt: boolean): boolean {
  if (v === undefined || v === null) return dflt
  if (typeof v !== 'boolean') invalid(`expected true or false, got ${describe(v)}`, path)
  return v as boolean
}

function list(v: unknown, path: string, optional = false): unknown[] {
  if ((v === undefined || v === null) && optional) return []
  if (!Array.isArray(v)) invalid(`expected a list, got ${describe(v)}`, path)
  const arr = v as unknown[]
  if (arr.length > 100_000) invalid('list too long', path)
  return Array.from(arr) // no holes
}

// ---------------------------------------------------------------------------------------------
// property packages

const DEFAULT_PACKAGE: PackageRef = {
  key: 'helmholtz:water',
  name: 'helmholtz',
  compound: 'water',
  docId: -1,
}
const WATER = new Set(['water', 'h2o', 'H2O'])

function resolvePackage(raw: unknown, path: string): PackageRef {
  const p = obj(raw, path)
  const docId = int(p.id, `${path}.id`)
  const type = p.type === undefined || p.type === null ? 'helmholtz' : str(p.type, `${path}.type`)
  const compounds = list(p.compounds, `${path}.compounds`, true).map((c, i) =>
    str(c, `${path}.compounds[${i}]`),
  )
  if (p.phases !== undefined && p.phases !== null) list(p.phases, `${path}.phases`)
  const name = type.toLowerCase()
  const supportedType = name === 'helmholtz' || name === 'if97'
  const pureWater =
    compounds.length === 0 || (compounds.length === 1 && WATER.has(compounds[0] as string))
  if (!supportedType || !pureWater || p.custom_compound_properties || p.custom_package_properties) {
    fail(
      'FLOWSHEET_UNSUPPORTED_PACKAGE',
      `unsupported package "${type}" with ${compounds.length ? compounds.join(', ') : 'no compounds'}: Rere supports water with the helmholtz (IAPWS-95) and if97 packages`,
      path,
      { package: type, compounds },
    )
  }
  const n = name as 'helmholtz' | 'if97'
  return { key: `${n}:water`, name: n, compound: 'water', docId }
}

// ---------------------------------------------------------------------------------------------
// property values

interface PropCtx {
  specs: Spec[]
  all: Spec[]
}

function kindDim(kind: string): Dim {
  return (QUANTITY_KINDS[kind] ?? QUANTITY_KINDS.dimensionless)!.dim
}

/** Parse `{data: [...], unit}` of one property into specs. */
function parseProperty(
  key: string,
  raw: unknown,
  def: PropertyDef,
  path: string,
  ctx: PropCtx,
  outlets?: string[],
): void {
  const prop = obj(raw, path)
  let unit: string | null = null
  if (prop.unit !== undefined && prop.unit !== null) unit = str(prop.unit, `${path}.unit`)
  if (unit !== null && unit.trim() === '') unit = null
  const unitPath = `${path}.unit`
  // the unit must be known and of the right dimension even when no value is given
  if (unit !== null) {
    parseUnit(unit, unitPath) // UNITS_UNKNOWN
    toSIKind(1, unit, def.kind, unitPath) // UNITS_INCOMPATIBLE
  }
  const data = list(prop.data, `${path}.data`)
  data.forEach((rawPv, i) => {
    const pvPath = `${path}.data[${i}]`
    const pv = obj(rawPv, pvPath)
    const id = int(pv.id, `${pvPath}.id`)
    const indexes = list(pv.discrete_indexes, `${pvPath}.discrete_indexes`, true).map((x, j) =>
      typeof x === 'number' ? String(x) : str(x, `${pvPath}.discrete_indexes[${j}]`),
    )
    checkIndexes(def, indexes, `${pvPath}.discrete_indexes`, outlets)
    let value: number | null = null
    let rawValue = pv.value
    if (Array.isArray(rawValue)) {
      if (rawValue.length > 1) {
        fail(
          'FLOWSHEET_UNSUPPORTED',
          'a list of several values (a dynamic profile) is not supported',
          `${pvPath}.value`,
        )
      }
      rawValue = rawValue.length === 0 ? null : rawValue[0]
    }
    if (rawValue !== undefined && rawValue !== null) {
      if (typeof rawValue !== 'number' || !Number.isFinite(rawValue)) {
        fail(
          'FLOWSHEET_BAD_VALUE',
          `expected a finite number, got ${describe(rawValue)}`,
          `${pvPath}.value`,
        )
      }
      // an empty unit on a dimensional quantity means the value is in SI
      value =
        unit === null
          ? (rawValue as number)
          : toSIKind(rawValue as number, unit, def.kind, unitPath)
      if (!Number.isFinite(value)) {
        fail('FLOWSHEET_BAD_VALUE', `${rawValue} ${unit ?? ''} overflows in SI`, `${pvPath}.value`)
      }
      checkRange(def, value, rawValue as number, unit, `${pvPath}.value`)
    }
    let controlled: number | null = null
    if (pv.controlled !== undefined && pv.controlled !== null)
      controlled = int(pv.controlled, `${pvPath}.controlled`)
    let constraint: string | null = null
    if (pv.constraint !== undefined && pv.constraint !== null) {
      constraint = str(pv.constraint, `${pvPath}.constraint`)
      if (constraint.trim() === '') constraint = null
    }
    const guess = bool(pv.guess, `${pvPath}.guess`, false)
    if (controlled !== null && value === null) {
      fail('FLOWSHEET_BAD_VALUE', 'a controlled set-point needs a value', `${pvPath}.value`)
    }
    const spec: Spec = {
      id,
      key,
      value,
      guess,
      unitSI: def.unitSI,
      unitIn: unit,
      kind: def.kind,
      controlled,
      constraint,
      indexes,
      path: pvPath,
    }
    ctx.specs.push(spec)
    ctx.all.push(spec)
  })
}

function checkIndexes(def: PropertyDef, indexes: string[], path: string, outlets?: string[]): void {
  if (def.indexedBy === undefined) {
    if (indexes.length > 0) invalid(`"${def.key}" takes no discrete indexes`, path)
    return
  }
  if (def.indexedBy === 'compound') {
    if (indexes.length !== 1 || !WATER.has(indexes[0] as string)) {
      invalid(`"${def.key}" is indexed by one compound ("water" or "h2o")`, path, { indexes })
    }
  } else if (def.indexedBy === 'phase_compound') {
    if (
      indexes.length !== 2 ||
      !['Liq', 'Vap'].includes(indexes[0] as string) ||
      !WATER.has(indexes[1] as string)
    ) {
      invalid(`"${def.key}" is indexed by a phase ("Liq"/"Vap") and a compound`, path, { indexes })
    }
  } else if (def.indexedBy === 'outlet') {
    if (indexes.length !== 1 || !(outlets ?? []).includes(indexes[0] as string)) {
      invalid(`"${def.key}" is indexed by an outlet name (${(outlets ?? []).join(', ')})`, path, {
        indexes,
      })
    }
  }
}

function checkRange(
  def: PropertyDef,
  si: number,
  given: number,
  unit: string | null,
  path: string,
): void {
  if (def.nonNegative && si < 0) {
    const what =
      def.kind === 'temperature' ? 'an absolute temperature' : def.displayName.toLowerCase()
    fail(
      'FLOWSHEET_BAD_VALUE',
      `${what} cannot be negative (${given}${unit ? ` ${unit}` : ''})`,
      path,
      {
        value: given,
        unit,
      },
    )
  }
  if (def.kind === 'pressure' && si === 0) {
    fail('FLOWSHEET_BAD_VALUE', 'an absolute pressure must be above zero', path, {
      value: given,
      unit,
    })
  }
  if (def.range) {
    const [lo, hi] = def.range
    if (si < lo || si > hi) {
      fail(
        'FLOWSHEET_BAD_VALUE',
        `${def.displayName.toLowerCase()} must be between ${lo} and ${hi}, got ${si}`,
        path,
        {
          value: given,
          min: lo,
          max: hi,
        },
      )
    }
  }
}

function parseProperties(
  raw: unknown,
  path: string,
  lookup: (key: string) => PropertyDef | undefined,
  ctx: PropCtx,
  where: string,
  outlets?: string[],
): void {
  if (raw === undefined || raw === null) return
  const props = obj(raw, path)
  for (const [key, val] of Object.entries(props)) {
    const def = lookup(key)
    const kpath = `${path}.${key}`
    if (!def)
      fail('FLOWSHEET_UNKNOWN_PROPERTY', `unknown property "${key}" on ${where}`, kpath, {
        property: key,
      })
    parseProperty(key, val, def as PropertyDef, kpath, ctx, outlets)
  }
}

// ---------------------------------------------------------------------------------------------
// flowsheet

/**
 * Validate an Ahuora `FlowsheetSchema` document and build the SI model.
 * @throws AppError 400: FLOWSHEET_INVALID, FLOWSHEET_UNSUPPORTED, FLOWSHEET_UNSUPPORTED_PACKAGE,
 *   FLOWSHEET_UNKNOWN_UNIT_TYPE, FLOWSHEET_UNKNOWN_PORT, FLOWSHEET_MISSING_PORT,
 *   FLOWSHEET_UNKNOWN_PROPERTY, FLOWSHEET_UNKNOWN_ARG, FLOWSHEET_UNKNOWN_PACKAGE,
 *   FLOWSHEET_DUPLICATE_ID, FLOWSHEET_BAD_ARC, FLOWSHEET_BAD_VALUE, FLOWSHEET_BAD_REFERENCE,
 *   FLOWSHEET_BAD_EXPRESSION, UNITS_UNKNOWN, UNITS_INCOMPATIBLE; every one with details.path.
 */
export function parseFlowsheet(doc: unknown): FlowsheetModel {
  const d = obj(doc, '', 'a flowsheet object')
  const id = typeof d.id === 'string' ? d.id : int(d.id, 'id')
  const name = str(d.name, 'name', '')
  const description = str(d.description, 'description', '')

  // out of scope first: dynamic models, rating mode, optimisation, machine learning
  if (bool(d.dynamic, 'dynamic', false)) {
    fail(
      'FLOWSHEET_UNSUPPORTED',
      'dynamic flowsheets are not supported (steady state only)',
      'dynamic',
    )
  }
  if (d.time_set !== undefined && d.time_set !== null) {
    const ts = list(d.time_set, 'time_set')
    if (ts.length > 1)
      fail(
        'FLOWSHEET_UNSUPPORTED',
        'several time points (a dynamic model) are not supported',
        'time_set',
      )
  }
  if (bool(d.is_rating_mode, 'is_rating_mode', false)) {
    fail('FLOWSHEET_UNSUPPORTED', 'rating mode is not supported', 'is_rating_mode')
  }
  if (list(d.optimizations, 'optimizations', true).length > 0) {
    fail('FLOWSHEET_UNSUPPORTED', 'optimizations are not supported', 'optimizations')
  }
  const ml = d.machineLearningBlock
  if (ml !== undefined && ml !== null && !(Array.isArray(ml) && ml.length === 0)) {
    fail(
      'FLOWSHEET_UNSUPPORTED',
      'machine-learning blocks are not supported',
      'machineLearningBlock',
    )
  }

  // property packages
  const packagesById = new Map<number, PackageRef>()
  list(d.property_packages, 'property_packages', true).forEach((raw, i) => {
    const ref = resolvePackage(raw, `property_packages[${i}]`)
    if (packagesById.has(ref.docId)) {
      fail(
        'FLOWSHEET_DUPLICATE_ID',
        `two property packages with id ${ref.docId}`,
        `property_packages[${i}].id`,
        {
          id: ref.docId,
        },
      )
    }
    packagesById.set(ref.docId, ref)
  })
  const packages: Record<string, PackageRef> = {}
  const usePackage = (v: unknown, path: string): PackageRef => {
    let ref: PackageRef | undefined
    if (v === undefined || v === null || v === -1) ref = packagesById.get(-1) ?? DEFAULT_PACKAGE
    else {
      const pid = int(v, path)
      ref = packagesById.get(pid)
      if (!ref) {
        fail(
          'FLOWSHEET_UNKNOWN_PACKAGE',
          `property package ${pid} is not in property_packages`,
          path,
          { package: pid },
        )
      }
    }
    const r = ref as PackageRef
    packages[r.key] ??= r
    return r
  }

  // unit models
  const rawUnits = list(d.unit_models, 'unit_models')
  const all: Spec[] = []
  const units: UnitModel[] = []
  const unitIds = new Set<number>()
  const portById = new Map<number, { unit: UnitModel; port: PortModel }>()
  rawUnits.forEach((rawU, ui) => {
    const up = `unit_models[${ui}]`
    const u = obj(rawU, up)
    const uid = int(u.id, `${up}.id`)
    if (unitIds.has(uid))
      fail('FLOWSHEET_DUPLICATE_ID', `two unit models with id ${uid}`, `${up}.id`, { id: uid })
    unitIds.add(uid)
    const type = str(u.type, `${up}.type`)
    const uname = str(u.name, `${up}.name`)
    const def = getUnitType(type)
    if (!def) {
      const why = UNSUPPORTED_TYPES[type]
      if (why) fail('FLOWSHEET_UNSUPPORTED', why, `${up}.type`, { type })
      fail('FLOWSHEET_UNKNOWN_UNIT_TYPE', `unknown unit type "${type}"`, `${up}.type`, { type })
    }
    const udef = def as NonNullable<typeof def>
    // args
    const rawArgs = u.args === undefined || u.args === null ? {} : obj(u.args, `${up}.args`)
    const args: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(rawArgs)) {
      const apath = `${up}.args.${k}`
      if (!(k in udef.args)) {
        fail('FLOWSHEET_UNKNOWN_ARG', `unknown argument "${k}" for a ${type}`, apath, {
          arg: k,
          allowed: Object.keys(udef.args),
        })
      }
      if ((k === 'dynamic' || k === 'has_holdup') && v === true) {
        fail('FLOWSHEET_UNSUPPORTED', 'dynamic models are not supported (steady state only)', apath)
      }
      if (k === 'enable_coefficients' && v === true) {
        fail(
          'FLOWSHEET_UNSUPPORTED',
          'valve flow coefficients (valve_opening) are not supported yet',
          apath,
        )
      }
      if (typeof udef.args[k] === 'boolean' && typeof v !== 'boolean') {
        fail('FLOWSHEET_INVALID', `${k} must be true or false, got ${describe(v)}`, apath)
      }
      if (k === 'delta_temperature' && v !== 'underwood' && v !== 'lmtd') {
        fail(
          'FLOWSHEET_INVALID',
          `delta_temperature must be "underwood" or "lmtd", got ${describe(v)}`,
          apath,
        )
      }
      if (k === 'num_inlets' || k === 'num_outlets') {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 100) {
          fail(
            'FLOWSHEET_INVALID',
            `${k} must be an integer from 1 to 100, got ${describe(v)}`,
            apath,
          )
        }
        if (type === 'phaseSeparator' && v !== 2) {
          fail(
            'FLOWSHEET_UNSUPPORTED',
            'a phase separator has exactly 2 outlets (vapour, liquid)',
            apath,
          )
        }
      }
      args[k] = v
    }
    for (const [k, v] of Object.entries(udef.args)) if (!(k in args) && v !== null) args[k] = v
    // packages (heat exchangers: one per side)
    const sidePkg: Record<string, PackageRef> = {}
    let pkg: PackageRef
    if (type === 'heatExchanger') {
      for (const side of ['hot_side', 'cold_side']) {
        const s =
          rawArgs[side] === undefined || rawArgs[side] === null
            ? {}
            : obj(rawArgs[side], `${up}.args.${side}`)
        for (const k of Object.keys(s)) {
          if (k !== 'property_package' && k !== 'has_pressure_change') {
            fail(
              'FLOWSHEET_UNKNOWN_ARG',
              `unknown argument "${k}" for a heat exchanger side`,
              `${up}.args.${side}.${k}`,
              {
                arg: k,
              },
            )
          }
        }
        sidePkg[side] = usePackage(s.property_package, `${up}.args.${side}.property_package`)
      }
      pkg = sidePkg.hot_side as PackageRef
    } else {
      pkg = usePackage(rawArgs.property_package, `${up}.args.property_package`)
    }
    const portDefs = udef.ports(args)
    const unit: UnitModel = {
      id: uid,
      type,
      name: uname,
      args,
      packageKey: pkg.key,
      specs: [],
      ports: [],
      initialValues: isObj(u.initial_values) ? (u.initial_values as Obj) : null,
      path: up,
    }
    const outletNames = portDefs
      .filter((x) => x.direction === 'outlet')
      .map((x) => x.name.replace(/^splitter\./, ''))
    const uctx: PropCtx = { specs: unit.specs, all }
    parseProperties(
      u.properties,
      `${up}.properties`,
      (key) => udef.properties.find((x) => x.key === key),
      uctx,
      `a ${type}`,
      outletNames.filter((n) => n !== 'vent' && n !== 'phase_separator.condensate_outlet'),
    )
    // ports
    const rawPorts = u.ports === undefined || u.ports === null ? {} : obj(u.ports, `${up}.ports`)
    const defsByName = new Map<string, PortDef>(portDefs.map((x) => [x.name, x]))
    for (const pn of Object.keys(rawPorts)) {
      if (!defsByName.has(pn)) {
        fail(
          'FLOWSHEET_UNKNOWN_PORT',
          `unknown port "${pn}" on a ${type} (ports: ${[...defsByName.keys()].join(', ')})`,
          `${up}.ports.${pn}`,
          {
            port: pn,
            allowed: [...defsByName.keys()],
          },
        )
      }
    }
    for (const pd of portDefs) {
      const pp = `${up}.ports.${pd.name}`
      if (!(pd.name in rawPorts)) {
        fail('FLOWSHEET_MISSING_PORT', `the ${type} "${uname}" has no port "${pd.name}"`, pp, {
          port: pd.name,
        })
      }
      const rp = obj(rawPorts[pd.name], pp)
      const pid = int(rp.id, `${pp}.id`)
      if (portById.has(pid))
        fail('FLOWSHEET_DUPLICATE_ID', `two ports with id ${pid}`, `${pp}.id`, { id: pid })
      const port: PortModel = {
        id: pid,
        name: pd.name,
        direction: pd.direction,
        packageKey: (pd.side ? sidePkg[pd.side] : pkg)?.key ?? pkg.key,
        specs: [],
        arcId: null,
        path: pp,
      }
      parseProperties(
        rp.properties,
        `${pp}.properties`,
        getStreamProperty,
        { specs: port.specs, all },
        `a port`,
      )
      unit.ports.push(port)
      portById.set(pid, { unit, port })
    }
    units.push(unit)
  })

  // arcs
  const arcs: ArcModel[] = []
  const arcIds = new Set<number>()
  list(d.arcs, 'arcs', true).forEach((rawA, ai) => {
    const ap = `arcs[${ai}]`
    const a = obj(rawA, ap)
    const aid = int(a.id, `${ap}.id`)
    if (arcIds.has(aid))
      fail('FLOWSHEET_DUPLICATE_ID', `two arcs with id ${aid}`, `${ap}.id`, { id: aid })
    arcIds.add(aid)
    const src = int(a.source, `${ap}.source`)
    const dst = int(a.destination, `${ap}.destination`)
    const s = portById.get(src)
    const t = portById.get(dst)
    if (!s)
      fail('FLOWSHEET_BAD_ARC', `arc ${aid}: no port with id ${src}`, `${ap}.source`, { port: src })
    if (!t)
      fail('FLOWSHEET_BAD_ARC', `arc ${aid}: no port with id ${dst}`, `${ap}.destination`, {
        port: dst,
      })
    const S = s as { unit: UnitModel; port: PortModel }
    const T = t as { unit: UnitModel; port: PortModel }
    if (S.port.direction !== 'outlet') {
      fail('FLOWSHEET_BAD_ARC', `arc ${aid}: source port ${src} is an inlet`, `${ap}.source`, {
        port: src,
      })
    }
    if (T.port.direction !== 'inlet') {
      fail(
        'FLOWSHEET_BAD_ARC',
        `arc ${aid}: destination port ${dst} is an outlet`,
        `${ap}.destination`,
        { port: dst },
      )
    }
    for (const [end, P, k] of [
      [S, src, 'source'],
      [T, dst, 'destination'],
    ] as const) {
      if (end.port.arcId !== null) {
        fail(
          'FLOWSHEET_BAD_ARC',
          `port ${P} has two arcs (${end.port.arcId} and ${aid})`,
          `${ap}.${k}`,
          {
            port: P,
            arcs: [end.port.arcId, aid],
          },
        )
      }
    }
    if (S.port.packageKey !== T.port.packageKey) {
      fail('FLOWSHEET_BAD_ARC', `arc ${aid} joins ports of different property packages`, ap)
    }
    S.port.arcId = aid
    T.port.arcId = aid
    let tearGuess: Record<string, boolean> | null = null
    if (a.tear_guess !== undefined && a.tear_guess !== null) {
      const tg = obj(a.tear_guess, `${ap}.tear_guess`)
      tearGuess = {}
      for (const [k, v] of Object.entries(tg))
        tearGuess[k] = bool(v, `${ap}.tear_guess.${k}`, false)
    }
    arcs.push({ id: aid, source: src, destination: dst, tearGuess, path: ap })
  })

  // ids, references, formulas
  const specsById = new Map<number, Spec[]>()
  for (const s of all) {
    const l = specsById.get(s.id)
    if (l) l.push(s)
    else specsById.set(s.id, [s])
  }
  const expressions: ExpressionModel[] = list(d.expressions, 'expressions', true).map(
    (rawE, ei) => {
      const ep = `expressions[${ei}]`
      const e = obj(rawE, ep)
      const eid = int(e.id, `${ep}.id`)
      if (specsById.has(eid)) {
        fail('FLOWSHEET_DUPLICATE_ID', `expression id ${eid} is also a property id`, `${ep}.id`, {
          id: eid,
        })
      }
      return {
        id: eid,
        name: str(e.name, `${ep}.name`, `expression_${eid}`),
        expression: str(e.expression, `${ep}.expression`),
        path: `${ep}.expression`,
      }
    },
  )
  const seenExpr = new Set<number>()
  for (const e of expressions) {
    if (seenExpr.has(e.id))
      fail(
        'FLOWSHEET_DUPLICATE_ID',
        `two expressions with id ${e.id}`,
        e.path.replace(/\.expression$/, '.id'),
        { id: e.id },
      )
    seenExpr.add(e.id)
  }
  const dimOfProperty = (pid: number): Dim | undefined => {
    const s = specsById.get(pid)?.[0]
    return s ? kindDim(s.kind) : undefined
  }
  const compiled = compileExpressions(expressions, dimOfProperty)
  const constraints = new Map<Spec, CompiledFormula>()
  for (const s of all) {
    if (s.controlled !== null) {
      const target = specsById.get(s.controlled)
      if (!target) {
        fail(
          'FLOWSHEET_BAD_REFERENCE',
          `controlled refers to property id ${s.controlled}, which does not exist`,
          `${s.path}.controlled`,
          {
            id: s.controlled,
          },
        )
      }
      if (s.controlled === s.id)
        fail('FLOWSHEET_BAD_REFERENCE', 'a property cannot control itself', `${s.path}.controlled`)
    }
    if (s.constraint !== null) {
      const f = compileFormula(s.constraint, `${s.path}.constraint`, {
        dimOfProperty,
        expressions: compiled,
      })
      checkConstraintDim(f, kindDim(s.kind))
      constraints.set(s, f)
    }
  }

  return {
    id,
    name,
    description,
    packages: Object.keys(packages).length ? packages : { [DEFAULT_PACKAGE.key]: DEFAULT_PACKAGE },
    units,
    arcs,
    expressions,
    portById,
    specsById,
    formulas: { expressions: compiled, constraints },
    raw: doc,
  }
}

/**
 * Validate a `/build_state` request (`{property_package, properties}`): one state block.
 */
export function parseStateBlock(doc: unknown): StateBlockModel {
  const d = obj(doc, '', 'a state-block request object')
  const id =
    d.id === undefined || d.id === null ? 0 : typeof d.id === 'string' ? d.id : int(d.id, 'id')
  const pkg = resolvePackage(d.property_package, 'property_package')
  const specs: Spec[] = []
  parseProperties(
    d.properties,
    'properties',
    getStreamProperty,
    { specs, all: [] },
    'a state block',
  )
  if (d.properties === undefined || d.properties === null)
    invalid('expected an object of properties', 'properties')
  return {
    id,
    name: str(d.name, 'name', ''),
    package: pkg,
    blockName: `PP_${pkg.docId}`,
    specs,
    raw: doc,
  }
}
