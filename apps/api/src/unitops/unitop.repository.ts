/**
 * SQL of simulation objects. Reads build the reply JSON inside PostgreSQL (one round trip, no
 * N+1: correlated subqueries over indexed ports / property_infos) and hand back its text, which
 * the routes send as is.
 */
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../flowsheets/access.ts'
import type { LocalWrites } from '../db/local-writes.ts'
import type { PropertyTemplate } from '../catalogue/catalogue.service.ts'
import { siLine, unitSIOf, valueToSI } from '../properties/units.ts'

/**
 * The flowsheet's current computed values (`lr.computed`, property id -> SI value): those of its
 * newest successful solve run. Join it to a query over flowsheets `f`:
 * `from flowsheets f left join lateral ${CURRENT_RUN} on true`.
 */
export const CURRENT_RUN = sql`(select s.computed from solve_runs s
  where s.flowsheet_id = f.id and s.status = 'success' order by s.id desc limit 1) lr`

/**
 * JSON of one property_infos row `pi` (PropertyInfo of the API contract); its computed value
 * comes from `lr` (CURRENT_RUN). A computed property (neither fixed nor a guess) shows that value
 * as its `value` too, in its own unit, and `valueSI`, as the seed platform's clients read it.
 */
export const PROPERTY_JSON = sql`json_build_object(
  'id', pi.id, 'key', pi.key, 'displayName', pi.display_name, 'unit', pi.unit,
  'value', case when pi.fixed or pi.guess or pi.value is not null then pi.value
    else ((lr.computed ->> pi.id::text)::float8 - pi.si_offset) / pi.si_factor end,
  'valueSI', case when pi.fixed or pi.guess or pi.value is not null then pi.value_si
    else (lr.computed ->> pi.id::text)::float8 end,
  'unitSI', pi.unit_si, 'quantity', pi.quantity,
  'fixed', pi.fixed, 'guess', pi.guess, 'computed', (lr.computed ->> pi.id::text)::float8,
  'constraint', pi.constraint_expr, 'controlled', pi.controlled_id, 'indexes', pi.indexes,
  'atInlet', pi.at_inlet)`

/** JSON of one simulation_objects row `o` of flowsheet `f` (SimulationObject). */
const OBJECT_JSON = sql`json_build_object(
  'id', o.id, 'flowsheetOwner', o.flowsheet_id, 'objectType', o.object_type,
  'componentName', o.component_name, 'x', o.x, 'y', o.y, 'args', o.args,
  'flowsheetVersion', f.version,
  'ports', coalesce((select json_agg(json_build_object('id', p.id, 'name', p.name,
      'direction', p.direction, 'streamId', p.stream_id) order by p.id)
    from ports p where p.unit_id = o.id), '[]'),
  'connections', case when o.object_type = 'stream' then json_build_object(
    'source', (select json_build_object('unitId', p.unit_id, 'portId', p.id, 'name', p.name)
      from ports p where p.stream_id = o.id and p.direction = 'outlet'),
    'destination', (select json_build_object('unitId', p.unit_id, 'portId', p.id, 'name', p.name)
      from ports p where p.stream_id = o.id and p.direction = 'inlet')) end,
  'properties', json_build_object('id', ps.id, 'contained_properties',
    coalesce((select json_agg(${PROPERTY_JSON} order by pi.sort_order, pi.id)
      from property_infos pi where pi.object_id = o.id), '[]')))`

export type ObjectKind = 'units' | 'streams' | 'all'

type Head = { version: number; run: number | null } | undefined

/**
 * The objects of flowsheet `flowsheetId` (owned by `userId`) as a JSON array text, or
 * `undefined` when the flowsheet is not theirs.
 */
export function listObjectsQuery(userId: number, flowsheetId: number, kind: ObjectKind) {
  const filter =
    kind === 'units'
      ? sql`and o.object_type <> 'stream'`
      : kind === 'streams'
        ? sql`and o.object_type = 'stream'`
        : sql``
  return sql<{ body: string | null; version: number; run: number | null }>`
    select (select coalesce(json_agg(${OBJECT_JSON} order by o.id), '[]')::text
      from simulation_objects o left join property_sets ps on ps.object_id = o.id
      where o.flowsheet_id = f.id ${filter}) as body, f.version, ${LATEST_RUN} as run
    from flowsheets f left join lateral ${CURRENT_RUN} on true where f.id = ${flowsheetId} and f.owner_id = ${userId}`
}

/**
 * The newest solve run of flowsheet `f` (its computed values change only with a new run); the
 * freshness check `rere_sheet_head` (migration 0008) reads it the same way.
 */
const LATEST_RUN = sql`(select s.id from solve_runs s where s.flowsheet_id = f.id
  order by s.id desc limit 1)`

/**
 * The version and newest solve run of flowsheet `flowsheetId` when it is `userId`'s, else
 * undefined: the function `rere_sheet_head` (migration 0008), whose plan each database session
 * keeps. Its two ids are written into the statement as integer literals: a statement without
 * parameters goes as one simple-protocol message instead of parse, bind, describe, execute and
 * sync (about 20 µs less per round trip through PgBouncer).
 */
export async function sheetHead(db: Db, userId: number, flowsheetId: number): Promise<Head> {
  if (!Number.isSafeInteger(userId) || !Number.isSafeInteger(flowsheetId))
    throw new TypeError(`sheetHead: ids must be integers (${userId}, ${flowsheetId})`)
  const head = sql<{ version: number | null; run: number | null }>`
    select version, run from rere_sheet_head(${sql.lit(flowsheetId)}, ${sql.lit(userId)})`
  const h = (await head.execute(db)).rows[0]
  return h && h.version !== null ? { version: h.version, run: h.run } : undefined
}

/**
 * The objects of flowsheet `flowsheetId` (owned by `userId`) as a JSON array text, or
 * `undefined` when the flowsheet is not theirs.
 */
export async function listObjectsJson(
  db: Db,
  userId: number,
  flowsheetId: number,
  kind: ObjectKind,
): Promise<string | undefined> {
  const r = await listObjectsQuery(userId, flowsheetId, kind).execute(db)
  return r.rows[0]?.body ?? undefined
}

/**
 * The object lists of recently read sheets, keyed by what determines them: the flowsheet
 * version (every write bumps it) and the newest solve run (the only other source of change, the
 * `computed` values). Each read first asks the database for both (`sheetHead`: two index
 * lookups in a function with a kept plan, which also checks the owner) and rebuilds the list only
 * when they moved. Body, version and run of a rebuilt list come from one statement, hence one
 * snapshot. Bounded (least recently used out).
 *
 * Over the embedded database (`localWrites` given) every write goes through this process, so an
 * entry read while no write happened stays exact until the next write anywhere: such hits cost
 * no query at all.
 */
export class ObjectListCache {
  readonly #entries = new Map<
    string,
    { version: number; run: number | null; body: string; userId: number; epoch: number }
  >()
  /** per user and sheet: the freshness check running, and the one queued after it */
  readonly #heads = new Map<string, { running?: Promise<Head>; queued?: Promise<Head> }>()
  constructor(
    private readonly max = 1000,
    private readonly localWrites?: LocalWrites,
  ) {}

  /**
   * The sheet's version and newest run, read by a query that starts after this call: reads of
   * one sheet that arrive while its check is running share the next check (one query however
   * many readers wait), so a hot sheet costs one round trip per round trip, not one per reader,
   * and no reader is answered from a check older than its request.
   */
  #head(db: Db, userId: number, flowsheetId: number): Promise<Head> {
    const key = `${userId}:${flowsheetId}`
    let state = this.#heads.get(key)
    if (!state) this.#heads.set(key, (state = {}))
    const s = state
    const start = (): Promise<Head> => {
      const p: Promise<Head> = sheetHead(db, userId, flowsheetId).finally(() => {
        if (s.running === p) s.running = undefined
        if (!s.running && !s.queued) this.#heads.delete(key)
      })
      s.running = p
      return p
    }
    if (!s.running) return start()
    s.queued ??= s.running
      .catch(() => undefined)
      .then(() => {
        s.queued = undefined
        return start()
      })
    return s.queued
  }

  async get(
    db: Db,
    userId: number,
    flowsheetId: number,
    kind: ObjectKind,
  ): Promise<string | undefined> {
    const key = `${flowsheetId}:${kind}`
    const cached = this.#entries.get(key)
    const local = this.localWrites
    if (cached && local && cached.epoch === local.epoch && cached.userId === userId) {
      this.#entries.delete(key)
      this.#entries.set(key, cached)
      return cached.body
    }
    if (cached && !local) {
      const h = await this.#head(db, userId, flowsheetId)
      if (!h) return undefined
      if (h.version === cached.version && h.run === cached.run) {
        this.#entries.delete(key)
        this.#entries.set(key, cached)
        return cached.body
      }
    }
    const epoch = local?.epoch ?? -1
    const r = (await listObjectsQuery(userId, flowsheetId, kind).execute(db)).rows[0]
    if (!r || r.body === null) return undefined
    // a write during the read: the body may predate it, so it is served but not kept as current
    const current = local ? local.epoch === epoch : true
    this.#entries.delete(key)
    if (current)
      this.#entries.set(key, { version: r.version, run: r.run, body: r.body, userId, epoch })
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    return r.body
  }
}

/** One object as JSON text, or undefined (absent or not the user's). */
export async function objectJson(
  db: Db,
  userId: number,
  objectId: number,
): Promise<string | undefined> {
  const r = await sql<{ body: string }>`
    select ${OBJECT_JSON}::text as body
    from simulation_objects o join flowsheets f on f.id = o.flowsheet_id and f.owner_id = ${userId}
    left join lateral ${CURRENT_RUN} on true
    left join property_sets ps on ps.object_id = o.id
    where o.id = ${objectId}`.execute(db)
  return r.rows[0]?.body
}

/** One property as JSON text with `flowsheetVersion`, or undefined. */
export async function propertyJson(
  db: Db,
  userId: number,
  propertyId: number,
): Promise<string | undefined> {
  const r = await sql<{ body: string }>`
    select (${PROPERTY_JSON}::jsonb || jsonb_build_object('flowsheetVersion', f.version,
        'objectId', pi.object_id))::text as body
    from property_infos pi join flowsheets f on f.id = pi.flowsheet_id and f.owner_id = ${userId}
    left join lateral ${CURRENT_RUN} on true
    where pi.id = ${propertyId}`.execute(db)
  return r.rows[0]?.body
}

export interface NewProperty extends PropertyTemplate {
  guess?: boolean
  constraint?: string | null
  /** set later (ids are known only after insertion) */
  controlledId?: number | null
  /** discrete indexes of an indexed property */
  indexes?: (string | number)[] | null
  /** stream property placed on the inlet end of the stream */
  atInlet?: boolean
}

/** Insert an object with its property set, ports and properties; returns the ids. */
export async function insertObject(
  trx: Db,
  o: {
    flowsheetId: number
    objectType: string
    componentName: string
    x: number
    y: number
    args: Record<string, unknown>
    ports: { name: string; direction: 'inlet' | 'outlet' }[]
    properties: NewProperty[]
  },
): Promise<{
  id: number
  setId: number
  ports: { id: number; name: string }[]
  propertyIds: number[]
}> {
  const { id } = await trx
    .insertInto('simulation_objects')
    .values({
      flowsheet_id: o.flowsheetId,
      object_type: o.objectType,
      component_name: o.componentName,
      x: o.x,
      y: o.y,
      args: JSON.stringify(o.args),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const { id: setId } = await trx
    .insertInto('property_sets')
    .values({ flowsheet_id: o.flowsheetId, object_id: id })
    .returning('id')
    .executeTakeFirstOrThrow()
  const ports = o.ports.length
    ? await trx
        .insertInto('ports')
        .values(
          o.ports.map((p) => ({
            flowsheet_id: o.flowsheetId,
            unit_id: id,
            name: p.name,
            direction: p.direction,
          })),
        )
        .returning(['id', 'name'])
        .execute()
    : []
  const propertyIds = o.properties.length
    ? (
        await trx
          .insertInto('property_infos')
          .values(o.properties.map((p, i) => propertyRow(p, o.flowsheetId, id, setId, i)))
          .returning('id')
          .execute()
      ).map((r) => r.id)
    : []
  return { id, setId, ports, propertyIds }
}

function propertyRow(
  p: NewProperty,
  flowsheetId: number,
  objectId: number,
  setId: number,
  i: number,
) {
  const unitSI = unitSIOf(p.unit, p.quantity)
  const line = siLine(p.unit, p.quantity)
  return {
    flowsheet_id: flowsheetId,
    object_id: objectId,
    set_id: setId,
    key: p.key,
    display_name: p.displayName,
    unit: p.unit,
    quantity: p.quantity,
    value: p.value,
    value_si: p.value === null ? null : valueToSI(p.value, p.unit, p.quantity),
    unit_si: unitSI,
    si_factor: line.factor,
    si_offset: line.offset,
    fixed: p.fixed,
    guess: p.guess ?? false,
    constraint_expr: p.constraint ?? null,
    controlled_id: p.controlledId ?? null,
    sort_order: i,
    indexes: p.indexes?.length ? JSON.stringify(p.indexes) : null,
    at_inlet: p.atInlet === true,
  }
}

/** `sql` helper re-exported for callers composing fragments. */
export type Fragment = RawBuilder<unknown>
