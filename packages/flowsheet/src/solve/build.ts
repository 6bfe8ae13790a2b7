import { AppError } from '@rere/contract'
import {
  EquationSystem,
  UNIT_FACTORIES,
  makeStream,
  BOUNDS,
  type Equation,
  type Stream,
  type ThermoPackage,
  type UnitOp,
} from '@rere/unit-ops'
import type { ArcModel, FlowsheetModel, PortModel, Spec, UnitModel } from '../document/model.ts'
import { derivedSpecEquation, isStateKey } from './port-props.ts'
import { resolvePackage } from './packages.ts'

/** Where a spec's value lives at the solution. */
export type SpecTarget =
  { kind: 'var'; index: number } | { kind: 'port'; stream: Stream; key: string } | { kind: 'none' }

export interface PortInfo {
  unit: UnitModel
  port: PortModel
  stream: Stream
  /** arc feeding this inlet / leaving this outlet */
  arc: ArcModel | null
}

export interface FixRecord {
  spec: Spec
  unit: UnitModel
  label: string
}

export interface Built {
  model: FlowsheetModel
  sys: EquationSystem
  unitOps: Map<number, UnitOp>
  ports: Map<number, PortInfo>
  /** spec -> where to read its value */
  targets: Map<Spec, SpecTarget>
  /** variable index -> the spec that fixed it */
  fixedBy: Map<number, FixRecord>
  /** ports with state specs that can seed initial values: T/P/x/h/flow */
  portSeeds: Map<
    number,
    { T?: number; P?: number; x?: number; h?: number; F?: number; mass?: number }
  >
  /** arcs broken for the sequential initialisation */
  tears: Set<number>
  /** unit ids in initialisation order */
  order: number[]
  /** mass balances dropped as redundant (closed loops), by unit id */
  droppedBalances: number[]
  /**
   * for re-use with new values (solve/cache.ts): per specification, in document order (units,
   * then each unit's ports), where its value lands and what it does with it
   */
  specOrder: { target: SpecTarget | null; apply: ((v: number) => void) | null }[]
  /** closed loops whose circulating flow was fixed at its guess (variable names) */
  circulating: string[]
  /** specs turned into guesses because their port is fed by an arc */
  arcGuesses: Spec[]
  pkgs: Map<string, ThermoPackage>
}

const STATE_KEYS = ['flow_mol', 'enth_mol', 'pressure'] as const
const FLOW_KEYS = new Set(['flow_mol', 'flow_mass', 'flow_vol'])
const ENTH_KEYS = new Set([
  'enth_mol',
  'temperature',
  'vapor_frac',
  'entr_mol',
  'enth_mass',
  'entr_mass',
])

function determines(key: (typeof STATE_KEYS)[number], specs: Spec[]): boolean {
  const set =
    key === 'flow_mol' ? FLOW_KEYS : key === 'enth_mol' ? ENTH_KEYS : new Set(['pressure'])
  return specs.some((s) => set.has(s.key) && s.value !== null)
}

export function portLabel(unit: UnitModel, port: PortModel): string {
  return `${unit.name}.${port.name}`
}

/** Build the whole-sheet equation system from the parsed model. Throws AppError 400 for documents it cannot represent. */
export function buildSystem(model: FlowsheetModel): Built {
  const sys = new EquationSystem()
  const pkgs = new Map<string, ThermoPackage>()
  const pkgFor = (key: string, path: string): ThermoPackage => {
    const hit = pkgs.get(key)
    if (hit) return hit
    const ref = model.packages[key]
    if (!ref)
      throw new AppError('FLOWSHEET_UNSUPPORTED_PACKAGE', `Unknown property package ${key}`, {
        details: { path, value: key },
      })
    const p = resolvePackage(ref.name, ref.compound)
    pkgs.set(key, p)
    return p
  }

  const arcByDest = new Map<number, ArcModel>()
  const arcBySource = new Map<number, ArcModel>()
  for (const a of model.arcs) {
    arcByDest.set(a.destination, a)
    arcBySource.set(a.source, a)
  }

  // 1. port streams: outlets and feeds get their own variables; an arc-fed inlet shares the
  //    source's variables except for the state variables a tear_guess marks as fixed.
  const ports = new Map<number, PortInfo>()
  const mkStream = (unit: UnitModel, port: PortModel): Stream => {
    const pkg = pkgFor(port.packageKey || unit.packageKey, port.path)
    return sys.addStream(
      portLabel(unit, port),
      pkg,
      { unitId: unit.id, unitName: unit.name },
      { F: NaN, h: NaN, P: NaN },
    )
  }
  for (const unit of model.units)
    for (const port of unit.ports) {
      if (port.direction === 'outlet' || !arcByDest.has(port.id))
        ports.set(port.id, {
          unit,
          port,
          stream: mkStream(unit, port),
          arc: arcBySource.get(port.id) ?? arcByDest.get(port.id) ?? null,
        })
    }
  for (const unit of model.units)
    for (const port of unit.ports) {
      const arc = arcByDest.get(port.id)
      if (port.direction !== 'inlet' || !arc) continue
      const src = ports.get(arc.source)
      if (!src)
        throw new AppError(
          'FLOWSHEET_BAD_ARC',
          `Arc ${arc.id}: source port ${arc.source} is not an outlet`,
          {
            details: { path: arc.path },
          },
        )
      const idx = { F: src.stream.F, h: src.stream.h, P: src.stream.P }
      const label = portLabel(unit, port)
      for (const key of STATE_KEYS) {
        if (arc.tearGuess?.[key] && determines(key, port.specs)) {
          const owner = { unitId: unit.id, unitName: unit.name }
          const v = src.stream.pkg
          const nv = sys.addVar({
            name: `${label}.${key}`,
            key,
            value: NaN,
            unitId: owner.unitId,
            unitName: owner.unitName,
            unit: key === 'flow_mol' ? 'mol/s' : key === 'enth_mol' ? 'J/mol' : 'Pa',
            scale: key === 'flow_mol' ? 1 : key === 'enth_mol' ? 1e4 : 1e5,
            lower:
              key === 'flow_mol'
                ? BOUNDS.flow[0]
                : key === 'enth_mol'
                  ? BOUNDS.enth[0]
                  : Math.max(1, v.bounds.Pmin),
            upper:
              key === 'flow_mol'
                ? BOUNDS.flow[1]
                : key === 'enth_mol'
                  ? BOUNDS.enth[1]
                  : v.bounds.Pmax,
          })
          if (key === 'flow_mol') idx.F = nv
          else if (key === 'enth_mol') idx.h = nv
          else idx.P = nv
        }
      }
      const stream = makeStream(label, src.stream.pkg, idx.F, idx.h, idx.P)
      ports.set(port.id, { unit, port, stream, arc })
    }

  // 2. unit operations
  const unitOps = new Map<number, UnitOp>()
  for (const unit of model.units) {
    const factory = UNIT_FACTORIES[unit.type]
    if (!factory)
      throw new AppError(
        'FLOWSHEET_UNSUPPORTED_UNIT',
        `Unit type '${unit.type}' is not supported by the solver`,
        {
          details: { path: unit.path, unitId: unit.id, value: unit.type },
        },
      )
    const streams: Record<string, Stream> = {}
    for (const p of unit.ports) streams[p.name] = (ports.get(p.id) as PortInfo).stream
    const op = factory({
      sys,
      owner: { unitId: unit.id, unitName: unit.name },
      type: unit.type,
      ports: streams,
      args: unit.args,
      specifiedKeys: new Set(unit.specs.filter((s) => s.value !== null).map((s) => s.key)),
    })
    for (const name of [...op.inlets, ...op.outlets])
      if (!streams[name])
        throw new AppError('FLOWSHEET_MISSING_PORT', `${unit.name}: port '${name}' is missing`, {
          details: { path: unit.path, unitId: unit.id, port: name },
        })
    unitOps.set(unit.id, op)
  }

  // 3. specifications
  const targets = new Map<Spec, SpecTarget>()
  const fixedBy = new Map<number, FixRecord>()
  const portSeeds: Built['portSeeds'] = new Map()
  const arcGuesses: Spec[] = []
  const controlledIds = new Set<number>()
  for (const specs of model.specsById.values())
    for (const s of specs)
      if (s.controlled !== null && s.value !== null) controlledIds.add(s.controlled)

  const fixVar = (
    idx: number,
    spec: Spec,
    unit: UnitModel,
    label: string,
  ): ((v: number) => void) => {
    const v = sys.vars[idx]
    const prev = fixedBy.get(idx)
    if (v.fixed && prev) {
      // the same variable specified twice (e.g. a shared arc variable on both ends): an equation
      // that DM reports as over-specified unless the values agree
      const holder = { v: spec.value as number }
      sys.addEq({
        unitId: unit.id,
        unitName: unit.name,
        name: `${label} = ${spec.value} (also fixed by ${prev.label})`,
        unit: v.unit,
        scale: v.scale,
        vars: [idx],
        kind: 'spec',
        specId: spec.id,
        f(x, g) {
          if (g) g[0] = 1
          return x[idx] - holder.v
        },
      })
      return (val) => {
        holder.v = val
      }
    }
    v.fixed = true
    v.value = spec.value as number
    v.seeded = true
    fixedBy.set(idx, { spec, unit, label })
    return (val) => {
      sys.vars[idx].value = val
    }
  }
  const seed = (idx: number, value: number | null): ((v: number) => void) | null => {
    if (value === null || !Number.isFinite(value)) return null
    const v = sys.vars[idx]
    if (v.fixed) return null
    v.value = value
    v.seeded = true
    return (val) => {
      if (Number.isFinite(val)) sys.vars[idx].value = val
    }
  }
  const specOrder: Built['specOrder'] = []
  const chain = (a: ((v: number) => void) | null, b: ((v: number) => void) | null) =>
    a && b
      ? (v: number) => {
          a(v)
          b(v)
        }
      : (a ?? b)

  for (const unit of model.units) {
    const op = unitOps.get(unit.id) as UnitOp
    const owner = { unitId: unit.id, unitName: unit.name }
    for (const spec of unit.specs) {
      const key = spec.indexes.length ? `${spec.key}[${spec.indexes.join(',')}]` : spec.key
      const idx = op.vars[key]
      const label = `${unit.name}.${key}`
      if (idx === undefined) {
        throw new AppError(
          'FLOWSHEET_UNKNOWN_PROPERTY',
          `${unit.name}: unit property '${spec.key}' is not supported for type ${unit.type}`,
          {
            details: { path: spec.path, unitId: unit.id, property: spec.key },
          },
        )
      }
      const target: SpecTarget = { kind: 'var', index: idx }
      targets.set(spec, target)
      const order: Built['specOrder'][number] = { target, apply: null }
      specOrder.push(order)
      const isGuess = spec.guess || spec.constraint !== null || controlledIds.has(spec.id)
      if (spec.value === null) continue
      if (isGuess) order.apply = seed(idx, spec.value)
      else order.apply = fixVar(idx, spec, unit, label)
    }
    // defaults (e.g. a turbine's efficiency_motor = 1) unless specified
    const given = new Set<string>()
    for (const s of unit.specs)
      if (s.value !== null && !s.guess && s.constraint === null) given.add(s.key)
    for (const port of unit.ports)
      for (const s of port.specs)
        if (s.value !== null && !s.guess && !(port.direction === 'inlet' && arcByDest.has(port.id)))
          given.add(`${port.name}.${s.key}`)
    for (const [key, val] of Object.entries(op.defaults)) {
      if (given.has(key) || (op.defaultUnless?.[key] ?? []).some((k) => given.has(k))) continue
      const v = sys.vars[op.vars[key]]
      v.fixed = true
      v.value = val
      v.seeded = true
    }
    for (const port of unit.ports) {
      const info = ports.get(port.id) as PortInfo
      const s = info.stream
      const arcFed = port.direction === 'inlet' && arcByDest.has(port.id)
      const arc = arcFed ? (arcByDest.get(port.id) as ArcModel) : null
      const label = portLabel(unit, port)
      const seeds: { T?: number; P?: number; x?: number; h?: number; F?: number; mass?: number } =
        {}
      for (const spec of port.specs) {
        const key = spec.key
        const target: SpecTarget = isStateKey(key)
          ? { kind: 'var', index: key === 'flow_mol' ? s.F : key === 'enth_mol' ? s.h : s.P }
          : {
              kind: 'port',
              stream: s,
              key: key === 'mole_frac_phase_comp' ? `${key}[${spec.indexes[0] ?? ''}]` : key,
            }
        targets.set(spec, target)
        const order: Built['specOrder'][number] = { target, apply: null }
        specOrder.push(order)
        if (spec.value === null) continue
        if (key === 'mole_frac_comp') {
          if (Math.abs(spec.value - 1) > 1e-9)
            throw new AppError(
              'FLOWSHEET_BAD_SPEC',
              `${label}: mole_frac_comp must be 1 for a pure-water package`,
              {
                details: { path: spec.path, value: spec.value },
              },
            )
          continue
        }
        const stateOf = (k: string) =>
          FLOW_KEYS.has(k) ? 'flow_mol' : ENTH_KEYS.has(k) ? 'enth_mol' : 'pressure'
        const tearFixed = arc !== null && arc.tearGuess?.[stateOf(key)] === true
        const guessByArc = arcFed && !tearFixed
        const isGuess =
          spec.guess || spec.constraint !== null || controlledIds.has(spec.id) || guessByArc
        if (guessByArc && !spec.guess) arcGuesses.push(spec)
        // seeds for initialisation
        const field =
          key === 'temperature'
            ? 'T'
            : key === 'pressure'
              ? 'P'
              : key === 'vapor_frac'
                ? 'x'
                : key === 'enth_mol'
                  ? 'h'
                  : key === 'flow_mol'
                    ? 'F'
                    : key === 'flow_mass'
                      ? 'mass'
                      : null
        const seedField = field
          ? (v: number) => {
              seeds[field] = v
            }
          : null
        seedField?.(spec.value)
        if (isStateKey(key)) {
          const idx = key === 'flow_mol' ? s.F : key === 'enth_mol' ? s.h : s.P
          const a = isGuess ? seed(idx, spec.value) : fixVar(idx, spec, unit, `${label}.${key}`)
          order.apply = chain(seedField, a)
          continue
        }
        order.apply = seedField
        if (isGuess) continue
        const holder = { v: spec.value }
        const eq = derivedSpecEquation(owner, s, key, holder, `${label}.${key}`)
        order.apply = chain(seedField, (v) => {
          holder.v = v
        })
        if (!eq)
          throw new AppError(
            'FLOWSHEET_UNKNOWN_PROPERTY',
            `${label}: property '${key}' cannot be specified`,
            {
              details: { path: spec.path, unitId: unit.id, property: key },
            },
          )
        eq.specId = spec.id
        sys.addEq(eq)
      }
      if (Object.keys(seeds).length) portSeeds.set(port.id, seeds)
    }
  }

  // warm start: a unit's `initial_values` in Rere's flat form {"outlet.enth_mol": 6039.8,
  // "work_mechanical": 3707.5, ...} (names as in the reply's ports / unitResults) seed the
  // variables no specification fixes. IDAES to_json dumps (nested objects) are ignored.
  const byName = new Map(sys.vars.map((v, i) => [v.name, i]))
  for (const unit of model.units) {
    const iv = unit.initialValues
    if (!iv) continue
    for (const [k, v] of Object.entries(iv)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) continue
      const idx = byName.get(`${unit.name}.${k}`)
      if (idx !== undefined) seed(idx, v)
    }
  }

  // 4. order for the sequential initialisation, tears, closed loops
  const { order, tears } = initOrder(model, arcByDest)
  const circulating: string[] = []
  const droppedBalances = dropRedundantBalances(model, sys, ports, arcByDest, unitOps, circulating)

  return {
    model,
    sys,
    unitOps,
    ports,
    targets,
    fixedBy,
    portSeeds,
    tears,
    order,
    droppedBalances,
    specOrder,
    circulating,
    arcGuesses,
    pkgs,
  }
}

/**
 * Flow order (Kahn) with automatic tears: arcs with a tear_guess are torn first; when every
 * remaining unit waits on an upstream one, the inlet arcs of the waiting unit with the most seeded
 * inlet values are torn.
 */
function initOrder(model: FlowsheetModel, arcByDest: Map<number, ArcModel>) {
  const unitOfPort = new Map<number, number>()
  for (const u of model.units) for (const p of u.ports) unitOfPort.set(p.id, u.id)
  const tears = new Set<number>()
  for (const a of model.arcs) if (a.tearGuess) tears.add(a.id)
  const done = new Set<number>()
  const order: number[] = []
  const pending = (u: UnitModel) =>
    u.ports.filter((p) => {
      const a = arcByDest.get(p.id)
      if (!a || tears.has(a.id)) return false
      const src = unitOfPort.get(a.source) as number
      return !done.has(src)
    })
  while (order.length < model.units.length) {
    let progressed = false
    for (const u of model.units) {
      if (done.has(u.id)) continue
      if (pending(u).length === 0) {
        done.add(u.id)
        order.push(u.id)
        progressed = true
      }
    }
    if (progressed) continue
    // tear: the waiting unit with the most seeded inlet values
    let best: UnitModel | null = null
    let bestScore = -1
    for (const u of model.units) {
      if (done.has(u.id)) continue
      const score = pending(u).reduce(
        (n, p) => n + p.specs.filter((s) => s.value !== null).length,
        0,
      )
      if (score > bestScore) {
        best = u
        bestScore = score
      }
    }
    for (const p of pending(best as UnitModel)) tears.add((arcByDest.get(p.id) as ArcModel).id)
  }
  return { order, tears }
}

/**
 * A set of units joined by arcs that share their flow variable, with no feed, product or torn
 * flow, conserves its total flow identically: the sum of its mass balances is 0 = 0. One mass
 * balance per such closed loop is dropped (the circulating flow then comes from a specification).
 */
function dropRedundantBalances(
  model: FlowsheetModel,
  sys: EquationSystem,
  ports: Map<number, PortInfo>,
  arcByDest: Map<number, ArcModel>,
  unitOps: Map<number, UnitOp>,
  circulating: string[],
): number[] {
  // union-find over units through flow-sharing arcs
  const parent = new Map<number, number>()
  const find = (a: number): number => {
    let r = a
    while (parent.get(r) !== r) r = parent.get(r) as number
    parent.set(a, r)
    return r
  }
  for (const u of model.units) parent.set(u.id, u.id)
  const open = new Set<number>()
  for (const u of model.units)
    for (const p of u.ports) {
      const info = ports.get(p.id) as PortInfo
      if (p.direction === 'inlet') {
        const a = arcByDest.get(p.id)
        if (!a) {
          open.add(u.id)
          continue
        }
        const src = ports.get(a.source) as PortInfo
        if (src.stream.F !== info.stream.F) {
          open.add(u.id)
          continue
        }
        parent.set(find(u.id), find(src.unit.id))
      } else if (!info.arc) open.add(u.id)
    }
  // units without a mass balance of the plain kind (heat exchangers have two) are left alone
  const openRoots = new Set<number>()
  for (const id of open) openRoots.add(find(id))
  const dropped: number[] = []
  const seen = new Set<number>()
  for (const u of model.units) {
    const r = find(u.id)
    if (openRoots.has(r) || seen.has(r)) continue
    seen.add(r)
    const op = unitOps.get(u.id) as UnitOp
    const name = op.equations.find((n) => n.startsWith('mass balance'))
    if (!name) continue
    const i = sys.eqs.findIndex((e: Equation) => e.unitId === u.id && e.name === name)
    if (i >= 0) {
      sys.eqs.splice(i, 1)
      dropped.push(u.id)
    }
    // the circulating flow: from a specification in the loop, else from a flow guess (the tear
    // guess) on one of its ports; without either the sheet stays under-specified (and says so)
    const flows = new Set<number>()
    for (const v of model.units)
      if (find(v.id) === r)
        for (const p of v.ports) flows.add((ports.get(p.id) as PortInfo).stream.F)
    const specified =
      [...flows].some((f) => sys.vars[f].fixed) ||
      sys.eqs.some(
        (e) => (e.kind === 'spec' || e.kind === 'constraint') && e.vars.some((v) => flows.has(v)),
      )
    if (!specified) {
      const seeded = [...flows].find((f) => sys.vars[f].seeded && sys.vars[f].value > 0)
      if (seeded !== undefined) {
        sys.vars[seeded].fixed = true
        circulating.push(sys.vars[seeded].name)
      }
    }
  }
  return dropped
}
