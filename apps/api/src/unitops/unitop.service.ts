/**
 * Simulation objects: units created from the solver catalogue, streams joining an outlet port
 * to an inlet port. Every write bumps the flowsheet version in its transaction.
 */
import { sql, type Kysely } from 'kysely'
import { AppError } from '@rere/contract'
import type { DB } from '../db/schema.ts'
import { bumpVersion, notFound, type Db } from '../flowsheets/access.ts'
import {
  STREAM_PROPERTIES,
  portsFor,
  type CatalogueService,
} from '../catalogue/catalogue.service.ts'
import { kindFor } from '../properties/units.ts'
import { insertObject, objectJson, type NewProperty } from './unitop.repository.ts'

export interface CreateObjectInput {
  flowsheetOwner: number
  objectType: string
  componentName?: string
  x?: number
  y?: number
  args?: Record<string, unknown>
  source?: number | null
  destination?: number | null
}

export interface PatchObjectInput {
  componentName?: string
  x?: number
  y?: number
  /** units: configuration args merged into the current ones (ports follow num_inlets/num_outlets) */
  args?: Record<string, unknown>
  source?: number | null
  destination?: number | null
}

export interface Written {
  version: number
  body: string
}

const MAX_NUMBERED_PORTS = 64

export class UnitOpService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly catalogue: CatalogueService,
  ) {}

  async create(userId: number, input: CreateObjectInput, ifMatch?: number): Promise<Written> {
    const isStream = input.objectType === 'stream'
    let ports: { name: string; direction: 'inlet' | 'outlet' }[] = []
    let properties: NewProperty[]
    let args: Record<string, unknown> = {}
    let displayName = 'S'
    if (isStream) {
      if (input.args !== undefined && Object.keys(input.args).length > 0)
        throw new AppError('API_VALIDATION', 'Streams take no args', { details: { field: 'args' } })
      properties = await this.streamProperties(input.source == null)
    } else {
      if (input.source != null || input.destination != null) {
        const field = input.source != null ? 'source' : 'destination'
        throw new AppError('API_VALIDATION', `${field} is for streams only`, {
          details: { field },
        })
      }
      const entry = await this.catalogue.entry(input.objectType)
      args = { ...(entry.args ?? {}), ...(input.args ?? {}) }
      checkPortCounts(args)
      ports = portsFor(entry, args)
      properties = entry.properties.map((p) => ({
        key: p.key,
        displayName: p.displayName,
        unit: p.unit,
        quantity: p.quantity || kindFor(p.key, p.unit),
        value: p.default,
        fixed: p.fixed && p.default !== null,
      }))
      displayName = entry.displayName
    }
    return this.db.transaction().execute(async (trx) => {
      const { flowsheetId, version } = await bumpVersion(
        trx,
        { flowsheetId: input.flowsheetOwner },
        userId,
        ifMatch,
      )
      let name = input.componentName
      if (name === undefined) {
        const n = await trx
          .selectFrom('simulation_objects')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('flowsheet_id', '=', flowsheetId)
          .where(
            isStream ? sql<boolean>`object_type = 'stream'` : sql<boolean>`object_type <> 'stream'`,
          )
          .executeTakeFirstOrThrow()
        name = `${displayName}${isStream ? '' : '-'}${Number(n.n) + 1}`
      }
      const created = await insertObject(trx, {
        flowsheetId,
        objectType: input.objectType,
        componentName: name,
        x: input.x ?? 0,
        y: input.y ?? 0,
        args,
        ports,
        properties,
      })
      if (isStream) {
        if (input.source != null)
          await connect(trx, flowsheetId, created.id, input.source, 'outlet', 'source')
        if (input.destination != null)
          await connect(trx, flowsheetId, created.id, input.destination, 'inlet', 'destination')
      }
      const body = await objectJson(trx, userId, created.id)
      return { version, body: body! }
    })
  }

  /**
   * A new stream's properties: the catalogue's `stream` entry (else STREAM_PROPERTIES). Its
   * default specifications (T, P, flow) apply to feeds only; a stream leaving a unit starts with
   * everything computed (its state is the unit's result).
   */
  private async streamProperties(feed: boolean): Promise<NewProperty[]> {
    const entry = await this.catalogue.entryOrUndefined('stream').catch(() => undefined)
    if (!entry || entry.properties.length === 0) return STREAM_PROPERTIES.map((p) => ({ ...p }))
    return entry.properties.map((p) => {
      const spec = feed && p.fixed && p.default !== null
      return {
        key: p.key,
        displayName: p.displayName,
        unit: p.unit,
        quantity: p.quantity || kindFor(p.key, p.unit),
        value: spec ? p.default : null,
        fixed: spec,
      }
    })
  }

  async patch(
    userId: number,
    id: number,
    input: PatchObjectInput,
    ifMatch?: number,
  ): Promise<Written> {
    return this.db.transaction().execute(async (trx) => {
      const { flowsheetId, version } = await bumpVersion(
        trx,
        { objectId: id },
        userId,
        ifMatch,
        'Simulation object',
      )
      const obj = await trx
        .selectFrom('simulation_objects')
        .select(['object_type', 'args'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      const isStream = obj.object_type === 'stream'
      if (!isStream && (input.source !== undefined || input.destination !== undefined)) {
        const field = input.source !== undefined ? 'source' : 'destination'
        throw new AppError('API_VALIDATION', `${field} is for streams only`, { details: { field } })
      }
      const set: Record<string, unknown> = {}
      if (input.args !== undefined && Object.keys(input.args).length > 0) {
        if (isStream)
          throw new AppError('API_VALIDATION', 'Streams take no args', {
            details: { field: 'args' },
          })
        const current = (obj.args ?? {}) as Record<string, unknown>
        const args = await this.changeArgs(
          trx,
          flowsheetId,
          id,
          obj.object_type,
          current,
          input.args,
        )
        set.args = JSON.stringify(args)
      }
      if (input.componentName !== undefined) set.component_name = input.componentName
      if (input.x !== undefined) set.x = input.x
      if (input.y !== undefined) set.y = input.y
      if (Object.keys(set).length)
        await trx.updateTable('simulation_objects').set(set).where('id', '=', id).execute()
      for (const [field, direction] of [
        ['source', 'outlet'],
        ['destination', 'inlet'],
      ] as const) {
        const target = input[field]
        if (target === undefined) continue
        const current = await trx
          .selectFrom('ports')
          .select('id')
          .where('stream_id', '=', id)
          .where('direction', '=', direction)
          .executeTakeFirst()
        if (current?.id === target) continue
        if (current)
          await trx
            .updateTable('ports')
            .set({ stream_id: null })
            .where('id', '=', current.id)
            .execute()
        if (target !== null) await connect(trx, flowsheetId, id, target, direction, field)
      }
      const body = await objectJson(trx, userId, id)
      return { version, body: body! }
    })
  }

  /**
   * New args of unit `id` (type `type`): `change` merged into `current`. Only the catalogue's args
   * of the type are accepted. When the port counts change, new ports are added and dropped ones
   * removed with the properties indexed by them; a dropped port that joins a stream is refused
   * (409 API_PORT_IN_USE) so no stream is silently cut.
   */
  private async changeArgs(
    trx: Db,
    flowsheetId: number,
    id: number,
    type: string,
    current: Record<string, unknown>,
    change: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const entry = await this.catalogue.entry(type)
    const known = new Set(Object.keys(entry.args ?? {}))
    for (const k of Object.keys(change))
      if (!known.has(k))
        throw new AppError(
          'API_VALIDATION',
          `A ${type} has no arg "${k}"` +
            (known.size ? ` (it takes ${[...known].join(', ')})` : ' (it takes none)'),
          { details: { field: `args.${k}` } },
        )
    const args = { ...current, ...change }
    checkPortCounts(args)
    const wanted = portsFor(entry, args)
    const existing = await trx
      .selectFrom('ports')
      .select(['id', 'name', 'direction', 'stream_id'])
      .where('unit_id', '=', id)
      .execute()
    const keep = new Set(wanted.map((p) => p.name))
    const dropped = existing.filter((p) => !keep.has(p.name))
    const taken = dropped.find((p) => p.stream_id !== null)
    if (taken) {
      const field = taken.direction === 'inlet' ? 'args.num_inlets' : 'args.num_outlets'
      throw new AppError(
        'API_PORT_IN_USE',
        `Port ${taken.name} joins stream ${taken.stream_id}; disconnect it before removing the port`,
        { statusCode: 409, details: { field, portId: taken.id, streamId: taken.stream_id } },
      )
    }
    if (dropped.length) {
      await trx
        .deleteFrom('ports')
        .where(
          'id',
          'in',
          dropped.map((p) => p.id),
        )
        .execute()
      for (const p of dropped)
        await trx
          .deleteFrom('property_infos')
          .where('object_id', '=', id)
          .where(sql<boolean>`indexes @> ${JSON.stringify([p.name])}::jsonb`)
          .execute()
    }
    const have = new Set(existing.map((p) => p.name))
    const added = wanted.filter((p) => !have.has(p.name))
    if (added.length)
      await trx
        .insertInto('ports')
        .values(
          added.map((p) => ({
            flowsheet_id: flowsheetId,
            unit_id: id,
            name: p.name,
            direction: p.direction,
          })),
        )
        .execute()
    return args
  }

  async remove(userId: number, id: number, ifMatch?: number): Promise<{ version: number }> {
    return this.db.transaction().execute(async (trx) => {
      const { version } = await bumpVersion(
        trx,
        { objectId: id },
        userId,
        ifMatch,
        'Simulation object',
      )
      // cascades: ports, property set, properties; streams: ports' stream_id set null
      await trx.deleteFrom('simulation_objects').where('id', '=', id).execute()
      return { version }
    })
  }

  async get(userId: number, id: number): Promise<string> {
    const body = await objectJson(this.db, userId, id)
    if (body === undefined) throw notFound('Simulation object', id)
    return body
  }
}

/** `num_inlets` / `num_outlets`, when present, are whole numbers of ports within bounds. */
function checkPortCounts(args: Record<string, unknown>) {
  for (const k of ['num_inlets', 'num_outlets']) {
    const v = args[k]
    if (
      v !== undefined &&
      (!Number.isInteger(v) || (v as number) < 1 || (v as number) > MAX_NUMBERED_PORTS)
    )
      throw new AppError(
        'API_VALIDATION',
        `args.${k} must be an integer from 1 to ${MAX_NUMBERED_PORTS}`,
        { details: { field: `args.${k}` } },
      )
  }
}

/**
 * Join stream `streamId` to port `portId` (which must be a `direction` port of the same sheet,
 * free). 404 / 400 / 409 API_PORT_TAKEN naming `field`.
 */
export async function connect(
  trx: Db,
  flowsheetId: number,
  streamId: number,
  portId: number,
  direction: 'inlet' | 'outlet',
  field: string,
): Promise<void> {
  const port = await trx
    .selectFrom('ports')
    .select(['id', 'direction', 'stream_id', 'flowsheet_id'])
    .where('id', '=', portId)
    .executeTakeFirst()
  if (!port || port.flowsheet_id !== flowsheetId) {
    throw new AppError('API_NOT_FOUND', `Port ${portId} not found in flowsheet ${flowsheetId}`, {
      statusCode: 404,
      details: { field, portId },
    })
  }
  if (port.direction !== direction) {
    throw new AppError(
      'API_VALIDATION',
      `${field} must be an ${direction} port; port ${portId} is an ${port.direction}`,
      { details: { field, portId } },
    )
  }
  if (port.stream_id !== null && port.stream_id !== streamId) {
    throw new AppError('API_PORT_TAKEN', `Port ${portId} already joins stream ${port.stream_id}`, {
      statusCode: 409,
      details: { field, portId, streamId: port.stream_id },
    })
  }
  await trx.updateTable('ports').set({ stream_id: streamId }).where('id', '=', portId).execute()
}
