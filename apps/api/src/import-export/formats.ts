/**
 * Whole-sheet documents: Rere's own lossless format and the Ahuora FlowsheetSchema (the seed
 * platform's solver export). Both import through one graph: objects with ports and properties
 * addressed by references, streams naming the ports they join.
 */
import { AppError, type Catalogue } from '@rere/contract'
import { normaliseCompound } from '../catalogue/catalogue.service.ts'
import { kindFor, unitSIOf } from '../properties/units.ts'
import type { Sheet } from '../solve/document.ts'

/** The unit must parse and fit the property's quantity: else 400 naming the document path. */
function checkUnitAt(unit: string, quantity: string, path: string): void {
  try {
    unitSIOf(unit, quantity)
  } catch (e) {
    throw bad(path, (e as Error).message)
  }
}
export interface GraphProperty {
  ref: string
  key: string
  displayName: string
  unit: string
  quantity: string
  value: number | null
  fixed: boolean
  guess: boolean
  constraint: string | null
  controlled: string | null
  indexes?: (string | number)[] | null
  /** stream properties: on the inlet end of the stream (the destination port) */
  atInlet?: boolean
}
export interface GraphObject {
  ref: string
  objectType: string
  componentName: string
  x: number
  y: number
  args: Record<string, unknown>
  ports: { ref: string; name: string; direction: 'inlet' | 'outlet'; stream: string | null }[]
  properties: GraphProperty[]
}
export interface Graph {
  name: string
  packages: { ref: string; name: string; compounds: string[]; phases: string[] }[]
  objects: GraphObject[]
  /** expressions; `ref` is the id_N reference used inside formulas */
  expressions: { ref: string; name: string; expression: string }[]
  meta: Record<string, unknown>
  /** id N used in formulas (`id_N`) and set-point links -> graph reference (default: N itself) */
  formulaIds?: Record<string, string>
}

export const RERE_FORMAT_VERSION = 1

/** Rere's export: everything, by reference (the database ids of the source sheet). */
export function toRereDocument(sheet: Sheet) {
  const propsOf = new Map<number, Sheet['props']>()
  for (const p of sheet.props) {
    const l = propsOf.get(p.objectId) ?? []
    l.push(p)
    propsOf.set(p.objectId, l)
  }
  return {
    format: 'rere',
    formatVersion: RERE_FORMAT_VERSION,
    name: sheet.flowsheet.name,
    meta: sheet.flowsheet.meta,
    propertyPackages: sheet.packages.map((p) => ({
      ref: String(p.id),
      name: p.name,
      compounds: p.compounds,
      phases: p.phases,
    })),
    objects: sheet.objects.map((o) => ({
      ref: String(o.id),
      objectType: o.type,
      componentName: o.name,
      x: o.x,
      y: o.y,
      args: o.args,
      ports: sheet.ports
        .filter((p) => p.unitId === o.id)
        .map((p) => ({
          ref: String(p.id),
          name: p.name,
          direction: p.direction,
          stream: p.streamId === null ? null : String(p.streamId),
        })),
      properties: (propsOf.get(o.id) ?? []).map((p) => ({
        ref: String(p.id),
        key: p.key,
        displayName: p.displayName,
        unit: p.unit,
        quantity: p.quantity,
        value: p.value,
        fixed: p.fixed,
        guess: p.guess,
        constraint: p.constraint,
        controlled: p.controlled === null ? null : String(p.controlled),
        ...(p.indexes ? { indexes: p.indexes } : {}),
        ...(p.atInlet ? { atInlet: true } : {}),
      })),
    })),
    expressions: sheet.flowsheet.expressions.map((e) => ({
      ref: String(e.id),
      name: e.name,
      expression: e.expression,
    })),
  }
}

function bad(path: string, message: string): AppError {
  return new AppError('API_IMPORT_INVALID', `${path}: ${message}`, {
    details: { field: 'document', path },
  })
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v)

function str(v: unknown, path: string, fallback?: string): string {
  if (typeof v === 'string' && v.length <= 500) return v
  if (v === undefined && fallback !== undefined) return fallback
  throw bad(path, 'expected a string (at most 500 characters)')
}
function num(v: unknown, path: string, fallback?: number): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if ((v === undefined || v === null) && fallback !== undefined) return fallback
  throw bad(path, 'expected a finite number')
}
function nullableNum(v: unknown, path: string): number | null {
  if (v === undefined || v === null) return null
  if (Array.isArray(v)) return v.length === 0 ? null : num(v[0], `${path}[0]`)
  return num(v, path)
}
function ref(v: unknown, path: string): string {
  if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v)
  throw bad(path, 'expected an id')
}

const LIMITS = { objects: 2000, properties: 200, ports: 130 }

/** Validate a Rere document into a graph. */
export function graphFromRere(doc: unknown): Graph {
  if (!isObj(doc)) throw bad('document', 'expected an object')
  if (doc.format !== undefined && doc.format !== 'rere')
    throw bad('document.format', 'expected "rere"')
  const objects = Array.isArray(doc.objects) ? doc.objects : []
  if (objects.length > LIMITS.objects) throw bad('document.objects', 'too many objects')
  const packages = (Array.isArray(doc.propertyPackages) ? doc.propertyPackages : []).map(
    (p: unknown, i: number) => {
      const path = `document.propertyPackages[${i}]`
      if (!isObj(p)) throw bad(path, 'expected an object')
      return {
        ref: ref(p.ref, `${path}.ref`),
        name: str(p.name, `${path}.name`),
        compounds: strList(p.compounds, `${path}.compounds`, ['water']).map(normaliseCompound),
        phases: strList(p.phases, `${path}.phases`, ['Liq', 'Vap']),
      }
    },
  )
  return {
    name: str(doc.name, 'document.name', 'Imported flowsheet'),
    meta: isObj(doc.meta) ? doc.meta : {},
    packages,
    expressions: expressionsOf(doc.expressions, 'document.expressions', 'ref'),
    objects: objects.map((o: unknown, i: number) => {
      const path = `document.objects[${i}]`
      if (!isObj(o)) throw bad(path, 'expected an object')
      const ports = Array.isArray(o.ports) ? o.ports : []
      const props = Array.isArray(o.properties) ? o.properties : []
      if (ports.length > LIMITS.ports) throw bad(`${path}.ports`, 'too many ports')
      if (props.length > LIMITS.properties) throw bad(`${path}.properties`, 'too many properties')
      return {
        ref: ref(o.ref, `${path}.ref`),
        objectType: str(o.objectType, `${path}.objectType`),
        componentName: str(o.componentName, `${path}.componentName`, ''),
        x: num(o.x, `${path}.x`, 0),
        y: num(o.y, `${path}.y`, 0),
        args: isObj(o.args) ? o.args : {},
        ports: ports.map((p: unknown, j: number) => {
          const pp = `${path}.ports[${j}]`
          if (!isObj(p)) throw bad(pp, 'expected an object')
          const direction =
            p.direction === 'outlet' ? 'outlet' : p.direction === 'inlet' ? 'inlet' : undefined
          if (!direction) throw bad(`${pp}.direction`, 'expected "inlet" or "outlet"')
          return {
            ref: ref(p.ref, `${pp}.ref`),
            name: str(p.name, `${pp}.name`),
            direction,
            stream:
              p.stream === null || p.stream === undefined ? null : ref(p.stream, `${pp}.stream`),
          }
        }),
        properties: props.map((p: unknown, j: number) => {
          const pp = `${path}.properties[${j}]`
          if (!isObj(p)) throw bad(pp, 'expected an object')
          const key = str(p.key, `${pp}.key`)
          const unit = str(p.unit, `${pp}.unit`, 'dimensionless')
          const quantity = str(p.quantity, `${pp}.quantity`, kindFor(key, unit))
          checkUnitAt(unit, quantity, `${pp}.unit`)
          return {
            ref: ref(p.ref, `${pp}.ref`),
            key,
            displayName: str(p.displayName, `${pp}.displayName`, key),
            unit,
            quantity,
            value: nullableNum(p.value, `${pp}.value`),
            fixed: p.fixed === true,
            guess: p.guess === true,
            constraint: typeof p.constraint === 'string' ? p.constraint : null,
            controlled: p.controlled == null ? null : ref(p.controlled, `${pp}.controlled`),
            indexes: indexesOf(p.indexes, `${pp}.indexes`),
            atInlet: p.atInlet === true,
          }
        }),
      }
    }),
  }
}

function indexesOf(v: unknown, path: string): (string | number)[] | null {
  if (v === undefined || v === null) return null
  if (
    !Array.isArray(v) ||
    v.length > 8 ||
    v.some((x) => typeof x !== 'string' && typeof x !== 'number')
  )
    throw bad(path, 'expected a short list of strings or numbers')
  return v.length ? (v as (string | number)[]) : null
}

function strList(v: unknown, path: string, fallback: string[]): string[] {
  if (v === undefined || v === null) return fallback
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    throw bad(path, 'expected a list of strings')
  return v as string[]
}

function expressionsOf(v: unknown, path: string, idKey: 'ref' | 'id') {
  if (v === undefined || v === null) return []
  if (!Array.isArray(v)) throw bad(path, 'expected a list')
  return v.map((e: unknown, i: number) => {
    if (!isObj(e)) throw bad(`${path}[${i}]`, 'expected an object')
    return {
      ref: ref(e[idKey], `${path}[${i}].${idKey}`),
      name: str(e.name, `${path}[${i}].name`, ''),
      expression: str(e.expression, `${path}[${i}].expression`),
    }
  })
}

/**
 * An Ahuora FlowsheetSchema document as a graph: every arc becomes a stream joining its two
 * ports; every port without an arc gets a feed (inlet) or product (outlet) stream. A stream takes
 * the properties of the port it leaves (or of its inlet port for a feed); values on the inlet end
 * of an arc (tear guesses) join it as guesses.
 */
export function graphFromAhuora(doc: unknown, catalogue?: Catalogue): Graph {
  if (!isObj(doc)) throw bad('document', 'expected an object')
  if (!Array.isArray(doc.unit_models)) throw bad('document.unit_models', 'expected a list')
  if (doc.unit_models.length > LIMITS.objects) throw bad('document.unit_models', 'too many units')
  let n = 0
  const propRefOf = new Map<string, string>() // ahuora property id -> ref (first seen)
  const readProps = (v: unknown, path: string): GraphProperty[] => {
    if (v === undefined || v === null) return []
    if (!isObj(v)) throw bad(path, 'expected an object of properties')
    const out: GraphProperty[] = []
    for (const [key, entry] of Object.entries(v)) {
      const pp = `${path}.${key}`
      if (!isObj(entry) || !Array.isArray(entry.data)) throw bad(pp, 'expected {data: [...], unit}')
      const unitRaw = entry.unit
      if (unitRaw !== undefined && unitRaw !== null && typeof unitRaw !== 'string')
        throw bad(`${pp}.unit`, 'expected a unit string or null')
      // no unit: dimensionless, or the SI unit of a property known to have a dimension
      const quantity = kindFor(key, unitRaw || 'dimensionless')
      const unit = unitRaw ?? ''
      checkUnitAt(unit, quantity, `${pp}.unit`)
      const data = entry.data as unknown[]
      data.forEach((d: unknown, i: number) => {
        const dp = `${pp}.data[${i}]`
        if (!isObj(d)) throw bad(dp, 'expected an object')
        const id = ref(d.id, `${dp}.id`)
        const r = `p${++n}`
        if (!propRefOf.has(id)) propRefOf.set(id, r)
        const value = nullableNum(d.value, `${dp}.value`)
        const guess = d.guess === true
        let indexes = indexesOf(d.discrete_indexes, `${dp}.discrete_indexes`)
        if (!indexes && data.length > 1) indexes = [i]
        const k = key
        out.push({
          ref: r,
          key: k,
          displayName: indexes ? `${k}[${indexes.join(',')}]` : k,
          unit,
          quantity,
          value,
          fixed: value !== null && !guess,
          guess,
          constraint: typeof d.constraint === 'string' ? d.constraint : null,
          controlled:
            d.controlled == null ? null : `ahuora:${ref(d.controlled, `${dp}.controlled`)}`,
          indexes,
        })
      })
    }
    return out
  }
  const pkgs = Array.isArray(doc.property_packages) ? doc.property_packages : []
  const packages = pkgs.map((p: unknown, i: number) => {
    const path = `document.property_packages[${i}]`
    if (!isObj(p)) throw bad(path, 'expected an object')
    return {
      ref: ref(p.id, `${path}.id`),
      name: str(p.type, `${path}.type`),
      compounds: strList(p.compounds, `${path}.compounds`, ['water']).map(normaliseCompound),
      phases: strList(p.phases, `${path}.phases`, ['Liq', 'Vap']),
    }
  })
  if (packages.length === 0)
    packages.push({ ref: '-1', name: 'helmholtz', compounds: ['water'], phases: ['Liq', 'Vap'] })

  interface PortInfo {
    ref: string
    unit: GraphObject
    name: string
    direction: 'inlet' | 'outlet'
    props: GraphProperty[]
  }
  const portsById = new Map<string, PortInfo>()
  const objects: GraphObject[] = []
  doc.unit_models.forEach((u: unknown, i: number) => {
    const path = `document.unit_models[${i}]`
    if (!isObj(u)) throw bad(path, 'expected an object')
    const type = str(u.type, `${path}.type`)
    const entry = catalogue?.units.find((e) => e.type === type)
    const obj: GraphObject = {
      ref: `u${i}`,
      objectType: type,
      componentName: str(u.name, `${path}.name`, type),
      x: 200 + 250 * (i % 6),
      y: 200 + 200 * Math.floor(i / 6),
      args: isObj(u.args) ? u.args : {},
      ports: [],
      properties: readProps(u.properties, `${path}.properties`),
    }
    if (!isObj(u.ports)) throw bad(`${path}.ports`, 'expected an object of ports')
    for (const [name, p] of Object.entries(u.ports)) {
      const pp = `${path}.ports.${name}`
      if (!isObj(p)) throw bad(pp, 'expected an object')
      const id = ref(p.id, `${pp}.id`)
      if (portsById.has(id)) throw bad(`${pp}.id`, `port id ${id} is used twice`)
      const direction =
        entry?.ports.find((e) => e.name === name)?.direction ??
        (/outlet/i.test(name) ? 'outlet' : 'inlet')
      const info: PortInfo = {
        ref: `q${id}`,
        unit: obj,
        name,
        direction,
        props: readProps(p.properties, `${pp}.properties`),
      }
      portsById.set(id, info)
      obj.ports.push({ ref: info.ref, name, direction, stream: null })
    }
    objects.push(obj)
  })
  const streams: GraphObject[] = []
  const join = (port: PortInfo | undefined, streamRef: string) => {
    if (!port) return
    const gp = port.unit.ports.find((q) => q.ref === port.ref)!
    gp.stream = streamRef
  }
  const used = new Set<string>()
  const arcs = Array.isArray(doc.arcs) ? doc.arcs : []
  arcs.forEach((a: unknown, i: number) => {
    const path = `document.arcs[${i}]`
    if (!isObj(a)) throw bad(path, 'expected an object')
    const s = ref(a.source, `${path}.source`)
    const d = ref(a.destination, `${path}.destination`)
    const src = portsById.get(s)
    const dst = portsById.get(d)
    if (!src || src.direction !== 'outlet') throw bad(`${path}.source`, `no outlet port ${s}`)
    if (!dst || dst.direction !== 'inlet') throw bad(`${path}.destination`, `no inlet port ${d}`)
    if (used.has(s)) throw bad(`${path}.source`, `port ${s} joins two arcs`)
    if (used.has(d)) throw bad(`${path}.destination`, `port ${d} joins two arcs`)
    used.add(s)
    used.add(d)
    // values on the inlet end stay there (tear guesses or specifications, as the document says)
    const inletEnd = dst.props.map((p) => ({ ...p, atInlet: true }))
    const ref_ = `s${streams.length + 1}`
    const extra = Object.fromEntries(
      Object.entries(a).filter(([k]) => k !== 'id' && k !== 'source' && k !== 'destination'),
    )
    const stream = streamObject(ref_, `S${streams.length + 1}`, [...src.props, ...inletEnd])
    stream.args = extra
    streams.push(stream)
    join(src, ref_)
    join(dst, ref_)
  })
  for (const [id, p] of portsById) {
    if (used.has(id)) continue
    const ref_ = `s${streams.length + 1}`
    streams.push(streamObject(ref_, `S${streams.length + 1}`, p.props))
    join(p, ref_)
  }
  // set-point links name Ahuora property ids: map them to references
  for (const o of [...objects, ...streams])
    for (const p of o.properties)
      if (p.controlled?.startsWith('ahuora:'))
        p.controlled = propRefOf.get(p.controlled.slice(7)) ?? null
  const exprs = expressionsOf(doc.expressions, 'document.expressions', 'id')
  const meta: Record<string, unknown> = {}
  if (typeof doc.description === 'string') meta.description = doc.description
  return {
    name: str(doc.name, 'document.name', 'Imported flowsheet'),
    packages,
    objects: [...objects, ...streams],
    expressions: exprs.map((e) => ({ ...e, ref: `ahuora:${e.ref}` })),
    meta,
    formulaIds: {
      ...Object.fromEntries(propRefOf),
      ...Object.fromEntries(exprs.map((e) => [e.ref, `ahuora:${e.ref}`])),
    },
  }
}

function streamObject(ref: string, name: string, props: GraphProperty[]): GraphObject {
  return {
    ref,
    objectType: 'stream',
    componentName: name,
    x: 0,
    y: 0,
    args: {},
    ports: [],
    properties: props,
  }
}
