/**
 * Flowsheets, their property packages and their solve history.
 */
import { sql, type Kysely } from 'kysely'
import { AppError } from '@rere/contract'
import type { DB } from '../db/schema.ts'
import { COMPOUNDS, normaliseCompound } from '../catalogue/catalogue.service.ts'
import { bumpVersion, notFound, ownedFlowsheet, type Db } from './access.ts'
import { keptRunsFilter } from '../solve/run-writer.ts'

export interface PackageInput {
  name?: string
  compounds?: string[]
}

export interface FlowsheetView {
  id: number
  name: string
  version: number
  createdAt: string
  updatedAt: string
  propertyPackage: { id: number; name: string; compounds: string[] } | null
  latestSolve?: { id: number; status: string; createdAt: string; timing: unknown } | null
}

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString())

export function checkCompounds(compounds: string[], field = 'propertyPackage.compounds'): string[] {
  const out = compounds.map(normaliseCompound)
  for (const c of out) {
    if (!COMPOUNDS.some((k) => k.id === c))
      throw new AppError(
        'API_VALIDATION',
        `Unknown compound "${c}"; known: ${COMPOUNDS.map((k) => k.id).join(', ')}`,
        {
          details: { field, value: c },
        },
      )
  }
  if (out.length === 0)
    throw new AppError('API_VALIDATION', 'A property package needs at least one compound', {
      details: { field },
    })
  return out
}

export class FlowsheetService {
  constructor(
    private readonly db: Kysely<DB>,
    /** SOLVE_RUNS_KEPT: the run history lists what pruning keeps */
    private readonly runsKept: number,
  ) {}

  async list(userId: number): Promise<FlowsheetView[]> {
    const rows = await sql<{
      id: number
      name: string
      version: number
      created_at: Date
      updated_at: Date
      pp: { id: number; name: string; compounds: string[] } | null
    }>`select f.id, f.name, f.version, f.created_at, f.updated_at,
         (select json_build_object('id', pp.id, 'name', pp.name, 'compounds', pp.compounds)
          from property_packages pp where pp.flowsheet_id = f.id order by pp.id limit 1) as pp
       from flowsheets f where f.owner_id = ${userId} order by f.id`.execute(this.db)
    return rows.rows.map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      propertyPackage: r.pp,
    }))
  }

  async get(userId: number, id: number, db: Db = this.db): Promise<FlowsheetView> {
    const r = await sql<{
      id: number
      name: string
      version: number
      created_at: Date
      updated_at: Date
      pp: { id: number; name: string; compounds: string[] } | null
      latest: { id: number; status: string; created_at: string; timing: unknown } | null
    }>`select f.id, f.name, f.version, f.created_at, f.updated_at,
         (select json_build_object('id', pp.id, 'name', pp.name, 'compounds', pp.compounds)
          from property_packages pp where pp.flowsheet_id = f.id order by pp.id limit 1) as pp,
         (select json_build_object('id', s.id, 'status', s.status, 'created_at', s.created_at,
            'timing', s.timing)
          from solve_runs s where s.flowsheet_id = f.id order by s.id desc limit 1) as latest
       from flowsheets f where f.id = ${id} and f.owner_id = ${userId}`.execute(db)
    const row = r.rows[0]
    if (!row) throw notFound('Flowsheet', id)
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at),
      propertyPackage: row.pp,
      latestSolve: row.latest
        ? {
            id: row.latest.id,
            status: row.latest.status,
            createdAt: iso(row.latest.created_at),
            timing: row.latest.timing,
          }
        : null,
    }
  }

  /** Insert a flowsheet with its package (inside `trx`); returns its id. */
  async insert(
    trx: Db,
    userId: number,
    name: string,
    pkg: { name: string; compounds: string[]; phases?: string[] }[],
    extra: { expressions?: unknown[]; meta?: Record<string, unknown> } = {},
  ): Promise<{ id: number; packageIds: number[] }> {
    const { id } = await trx
      .insertInto('flowsheets')
      .values({
        owner_id: userId,
        name,
        expressions: JSON.stringify(extra.expressions ?? []),
        meta: JSON.stringify(extra.meta ?? {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const packageIds: number[] = []
    for (const p of pkg) {
      const r = await trx
        .insertInto('property_packages')
        .values({
          flowsheet_id: id,
          name: p.name,
          compounds: JSON.stringify(p.compounds),
          phases: JSON.stringify(p.phases ?? ['Liq', 'Vap']),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      packageIds.push(r.id)
    }
    return { id, packageIds }
  }

  async create(userId: number, name: string, pkg?: PackageInput): Promise<FlowsheetView> {
    const compounds = checkCompounds(pkg?.compounds ?? ['water'])
    return this.db.transaction().execute(async (trx) => {
      const { id } = await this.insert(trx, userId, name, [
        { name: pkg?.name ?? 'helmholtz', compounds },
      ])
      return this.get(userId, id, trx)
    })
  }

  async rename(userId: number, id: number, name: string, ifMatch?: number): Promise<FlowsheetView> {
    return this.db.transaction().execute(async (trx) => {
      await bumpVersion(trx, { flowsheetId: id }, userId, ifMatch)
      await trx.updateTable('flowsheets').set({ name }).where('id', '=', id).execute()
      return this.get(userId, id, trx)
    })
  }

  async remove(userId: number, id: number, ifMatch?: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await bumpVersion(trx, { flowsheetId: id }, userId, ifMatch)
      await trx.deleteFrom('flowsheets').where('id', '=', id).execute()
    })
  }

  async packages(userId: number, id: number) {
    const f = await ownedFlowsheet(this.db, id, userId)
    const rows = await this.db
      .selectFrom('property_packages')
      .select(['id', 'name', 'compounds', 'phases'])
      .where('flowsheet_id', '=', id)
      .orderBy('id')
      .execute()
    return rows.map((r) => ({ ...r, flowsheetVersion: f.version }))
  }

  async patchPackage(
    userId: number,
    flowsheetId: number,
    ppId: number,
    input: PackageInput,
    ifMatch?: number,
  ) {
    return this.db.transaction().execute(async (trx) => {
      const { flowsheetId: owner, version } = await bumpVersion(
        trx,
        { packageId: ppId },
        userId,
        ifMatch,
        'Property package',
      )
      if (owner !== flowsheetId) throw notFound('Property package', ppId)
      const set: Record<string, unknown> = {}
      if (input.name !== undefined) set.name = input.name
      if (input.compounds !== undefined)
        set.compounds = JSON.stringify(checkCompounds(input.compounds, 'compounds'))
      if (Object.keys(set).length)
        await trx.updateTable('property_packages').set(set).where('id', '=', ppId).execute()
      const row = await trx
        .selectFrom('property_packages')
        .select(['id', 'name', 'compounds', 'phases'])
        .where('id', '=', ppId)
        .executeTakeFirstOrThrow()
      return { version, body: { ...row, flowsheetVersion: version } }
    })
  }

  async solves(userId: number, id: number) {
    await ownedFlowsheet(this.db, id, userId)
    const rows = await this.db
      .selectFrom('solve_runs')
      .select([
        'id',
        'status',
        'created_at',
        'timing',
        'error',
        'solver_version',
        'package_version',
        'user_id',
        'flowsheet_version',
      ])
      .where('flowsheet_id', '=', id)
      .where(keptRunsFilter(sql.ref('id'), id, this.runsKept))
      .orderBy('id', 'desc')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      createdAt: iso(r.created_at),
      timing: r.timing,
      error: r.error,
      solverVersion: r.solver_version,
      packageVersion: r.package_version,
      userId: r.user_id,
      flowsheetVersion: r.flowsheet_version,
    }))
  }

  /** The latest completed solve's result (the solve reply), or 404. */
  async results(userId: number, id: number) {
    await ownedFlowsheet(this.db, id, userId)
    const r = await this.db
      .selectFrom('solve_runs')
      .select(['id', 'result', 'status'])
      .where('flowsheet_id', '=', id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst()
    if (!r || !r.result)
      throw new AppError('API_NOT_FOUND', `Flowsheet ${id} has not been solved yet`, {
        statusCode: 404,
        details: { field: 'id', id },
      })
    return { id: r.id, ...r.result }
  }
}
