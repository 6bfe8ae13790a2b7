/**
 * The whole sheet in one query, and the solver document (the Ahuora FlowsheetSchema) built from
 * it: port ids and property-value ids are database ids, so the solver's reply maps straight
 * back. A stream's properties go on the port it leaves (its source outlet port), or on its
 * destination inlet port for a feed; every stream with both ends is an arc.
 */
import { sql } from 'kysely'
import type { Db } from '../flowsheets/access.ts'

export interface SheetProperty {
  id: number
  objectId: number
  key: string
  displayName: string
  unit: string
  value: number | null
  valueSI: number | null
  unitSI: string
  quantity: string
  fixed: boolean
  guess: boolean
  constraint: string | null
  controlled: number | null
  indexes: (string | number)[] | null
  atInlet: boolean
}
export interface SheetObject {
  id: number
  type: string
  name: string
  x: number
  y: number
  args: Record<string, unknown>
}
export interface SheetPort {
  id: number
  unitId: number
  name: string
  direction: 'inlet' | 'outlet'
  streamId: number | null
}
export interface Sheet {
  flowsheet: {
    id: number
    name: string
    version: number
    expressions: { id: number; name: string; expression: string }[]
    meta: Record<string, unknown>
  }
  packages: { id: number; name: string; compounds: string[]; phases: string[] }[]
  objects: SheetObject[]
  ports: SheetPort[]
  props: SheetProperty[]
}

/**
 * Sheets recently solved, keyed by owner and flowsheet id. An entry is only a guess at the current
 * sheet: a solve that uses it stores its run only if the flowsheet is still at the entry's version
 * (every write bumps it; a solve does not change the document), and otherwise reloads the sheet
 * and solves again. Bounded (least recently used out).
 */
export class SheetCache {
  readonly #entries = new Map<string, Sheet>()
  constructor(private readonly max = 256) {}

  get(userId: number, id: number): Sheet | undefined {
    const key = `${userId}:${id}`
    const cached = this.#entries.get(key)
    if (cached) {
      this.#entries.delete(key)
      this.#entries.set(key, cached)
    }
    return cached
  }

  set(userId: number, sheet: Sheet): void {
    const key = `${userId}:${sheet.flowsheet.id}`
    this.#entries.delete(key)
    this.#entries.set(key, sheet)
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
  }

  delete(userId: number, id: number): void {
    this.#entries.delete(`${userId}:${id}`)
  }
}

/** Everything in flowsheet `id` owned by `userId` (one round trip), or undefined. */
export async function loadSheet(db: Db, userId: number, id: number): Promise<Sheet | undefined> {
  const r = await sql<{ sheet: Sheet | string }>`
    select json_build_object(
      'flowsheet', json_build_object('id', f.id, 'name', f.name, 'version', f.version,
        'expressions', f.expressions, 'meta', f.meta),
      'packages', coalesce((select json_agg(json_build_object('id', pp.id, 'name', pp.name,
          'compounds', pp.compounds, 'phases', pp.phases) order by pp.id)
        from property_packages pp where pp.flowsheet_id = f.id), '[]'),
      'objects', coalesce((select json_agg(json_build_object('id', o.id, 'type', o.object_type,
          'name', o.component_name, 'x', o.x, 'y', o.y, 'args', o.args) order by o.id)
        from simulation_objects o where o.flowsheet_id = f.id), '[]'),
      'ports', coalesce((select json_agg(json_build_object('id', p.id, 'unitId', p.unit_id,
          'name', p.name, 'direction', p.direction, 'streamId', p.stream_id) order by p.id)
        from ports p where p.flowsheet_id = f.id), '[]'),
      'props', coalesce((select json_agg(json_build_object('id', pi.id, 'objectId', pi.object_id,
          'key', pi.key, 'displayName', pi.display_name, 'unit', pi.unit, 'value', pi.value,
          'valueSI', pi.value_si, 'unitSI', pi.unit_si, 'quantity', pi.quantity,
          'fixed', pi.fixed, 'guess', pi.guess,
          'constraint', pi.constraint_expr, 'controlled', pi.controlled_id,
          'indexes', pi.indexes, 'atInlet', pi.at_inlet)
          order by pi.object_id, pi.sort_order, pi.id)
        from property_infos pi where pi.flowsheet_id = f.id), '[]')
    ) as sheet
    from flowsheets f where f.id = ${id} and f.owner_id = ${userId}`.execute(db)
  const s = r.rows[0]?.sheet
  if (s === undefined) return undefined
  return typeof s === 'string' ? (JSON.parse(s) as Sheet) : s
}

export function streamEnds(sheet: Sheet): Map<number, { source?: number; destination?: number }> {
  const ends = new Map<number, { source?: number; destination?: number }>()
  for (const p of sheet.ports) {
    if (p.streamId === null) continue
    const e = ends.get(p.streamId) ?? {}
    if (p.direction === 'outlet') e.source = p.id
    else e.destination = p.id
    ends.set(p.streamId, e)
  }
  return ends
}

type DocProps = Record<string, { data: Record<string, unknown>[]; unit: string | null }>

function docProps(props: SheetProperty[]): DocProps {
  const out: DocProps = {}
  for (const p of props) {
    const d: Record<string, unknown> = { id: p.id }
    if (p.value !== null && (p.fixed || p.guess)) d.value = p.value
    if (p.guess) d.guess = true
    if (p.constraint) d.constraint = p.constraint
    if (p.controlled !== null) d.controlled = p.controlled
    if (p.indexes) d.discrete_indexes = p.indexes
    const entry = out[p.key]
    if (entry) entry.data.push(d)
    else out[p.key] = { data: [d], unit: p.unit === '' ? null : p.unit }
  }
  return out
}

/**
 * Unit args with their property package: a missing or default (-1) `property_package` (also inside
 * `hot_side` / `cold_side` blocks) becomes the sheet's first package, so a sheet switched to
 * IF97 solves with IF97.
 */
function withPackage(args: Record<string, unknown>, defaultPackage: number | undefined) {
  if (defaultPackage === undefined) return args
  const fix = (o: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(o)) {
      if (k === 'property_package')
        out[k] = v === -1 || v === '-1' || v === null ? defaultPackage : v
      else if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'property_package' in v)
        out[k] = fix(v as Record<string, unknown>)
      else out[k] = v
    }
    return out
  }
  const sides = Object.values(args).some(
    (v) => v !== null && typeof v === 'object' && 'property_package' in (v as object),
  )
  const fixed = fix(args)
  if (!sides && !('property_package' in fixed)) fixed.property_package = defaultPackage
  return fixed
}

/** The solver document (Ahuora FlowsheetSchema) of `sheet`. */
export function buildSolverDocument(sheet: Sheet): Record<string, unknown> {
  const propsOf = new Map<number, SheetProperty[]>()
  for (const p of sheet.props) {
    const l = propsOf.get(p.objectId)
    if (l) l.push(p)
    else propsOf.set(p.objectId, [p])
  }
  const portsOf = new Map<number, SheetPort[]>()
  for (const p of sheet.ports) {
    const l = portsOf.get(p.unitId)
    if (l) l.push(p)
    else portsOf.set(p.unitId, [p])
  }
  // a stream's properties go on the port it leaves (the destination for a feed); those marked
  // `atInlet` go on its destination port when it has one
  const ends = streamEnds(sheet)
  const onPort = new Map<number, SheetProperty[]>()
  const place = (portId: number | undefined, p: SheetProperty) => {
    if (portId === undefined) return
    const l = onPort.get(portId)
    if (l) l.push(p)
    else onPort.set(portId, [p])
  }
  for (const o of sheet.objects) {
    if (o.type !== 'stream') continue
    const e = ends.get(o.id)
    if (!e) continue
    for (const p of propsOf.get(o.id) ?? [])
      place(
        p.atInlet && e.destination !== undefined ? e.destination : (e.source ?? e.destination),
        p,
      )
  }
  const defaultPackage = sheet.packages[0]?.id
  const unitModels = sheet.objects
    .filter((o) => o.type !== 'stream')
    .map((u) => {
      const ports: Record<string, unknown> = {}
      for (const p of portsOf.get(u.id) ?? [])
        ports[p.name] = { id: p.id, properties: docProps(onPort.get(p.id) ?? []) }
      return {
        id: u.id,
        type: u.type,
        name: u.name,
        args: withPackage(u.args, defaultPackage),
        properties: docProps(propsOf.get(u.id) ?? []),
        ports,
      }
    })
  const arcs: { id: number; source: number; destination: number }[] = []
  const streamArgs = new Map(sheet.objects.map((o) => [o.id, o.args]))
  for (const [streamId, e] of ends) {
    if (e.source !== undefined && e.destination !== undefined)
      arcs.push({
        ...(streamArgs.get(streamId) ?? {}),
        id: streamId,
        source: e.source,
        destination: e.destination,
      })
  }
  arcs.sort((a, b) => a.id - b.id)
  return {
    id: sheet.flowsheet.id,
    name: sheet.flowsheet.name,
    dynamic: false,
    property_packages: sheet.packages.map((p) => ({
      id: p.id,
      type: p.name,
      compounds: p.compounds,
      phases: p.phases,
    })),
    unit_models: unitModels,
    arcs,
    expressions: sheet.flowsheet.expressions,
  }
}
