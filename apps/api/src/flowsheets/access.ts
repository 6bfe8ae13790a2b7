/**
 * Shared pieces of every flowsheet-scoped route: who is asking, If-Match parsing, 404s that do
 * not reveal other users' ids, and the version bump every write makes in its transaction.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { sql, type Kysely, type Transaction } from 'kysely'
import { AppError } from '@rere/contract'
import type { DB } from '../db/schema.ts'

export type Db = Kysely<DB> | Transaction<DB>

/** The signed-in user's id (set by the auth preHandler); 401 when missing. */
export function userIdOf(request: FastifyRequest): number {
  const user = (request as unknown as { user?: { id: number } | null }).user
  if (!user) {
    throw new AppError('AUTH_REQUIRED', 'Sign in or send a bearer token', { statusCode: 401 })
  }
  return user.id
}

export function notFound(what: string, id: number | string, field = 'id'): AppError {
  return new AppError('API_NOT_FOUND', `${what} ${id} not found`, {
    statusCode: 404,
    details: { field, id },
  })
}

/** `If-Match: "7"` / `7` / `W/"7"` -> 7; absent -> undefined; anything else -> 400. */
export function ifMatchOf(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match']
  if (raw === undefined || raw === '' || raw === '*') return undefined
  const text = (Array.isArray(raw) ? raw[0] : raw).trim()
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(text)
  if (!m) {
    throw new AppError('API_VALIDATION', 'If-Match must be a flowsheet version such as "3"', {
      details: { field: 'if-match' },
    })
  }
  return Number(m[1])
}

export function setEtag(reply: FastifyReply, version: number): void {
  void reply.header('etag', `"${version}"`)
}

/** What a write is addressed by; the flowsheet is found through it (one statement). */
export type WriteTarget =
  { flowsheetId: number } | { objectId: number } | { propertyId: number } | { packageId: number }

/**
 * The first statement of every write transaction: bump the owning flowsheet's version (locking
 * its row, so writes to one sheet apply in order and If-Match is checked atomically). Returns
 * the flowsheet id and the new version. 404 when the target does not exist or belongs to another
 * user; 412 API_VERSION_CONFLICT (details.currentVersion) when `ifMatch` is stale.
 */
export async function bumpVersion(
  trx: Db,
  target: WriteTarget,
  userId: number,
  ifMatch: number | undefined,
  what = 'Flowsheet',
): Promise<{ flowsheetId: number; version: number }> {
  const fsId = flowsheetIdExpr(target)
  const row = await sql<{ id: number; version: number; matched: boolean }>`
    update flowsheets f set version = f.version + 1, updated_at = now()
    where f.id = (${fsId}) and f.owner_id = ${userId}
    returning f.id, f.version`
    .execute(trx)
    .then((r) => r.rows[0])
  if (!row) throw notFound(what, targetId(target))
  if (ifMatch !== undefined && row.version - 1 !== ifMatch) {
    // undo by failing the transaction: the caller's transaction rolls back on throw
    throw new AppError(
      'API_VERSION_CONFLICT',
      `Flowsheet ${row.id} is at version ${row.version - 1}, not ${ifMatch}; reload and retry`,
      {
        statusCode: 412,
        details: { field: 'if-match', currentVersion: row.version - 1, flowsheetId: row.id },
      },
    )
  }
  return { flowsheetId: row.id, version: row.version }
}

function targetId(t: WriteTarget): number {
  if ('flowsheetId' in t) return t.flowsheetId
  if ('objectId' in t) return t.objectId
  if ('propertyId' in t) return t.propertyId
  return t.packageId
}

function flowsheetIdExpr(t: WriteTarget) {
  if ('flowsheetId' in t) return sql`${t.flowsheetId}::bigint`
  if ('objectId' in t)
    return sql`select flowsheet_id from simulation_objects where id = ${t.objectId}`
  if ('propertyId' in t)
    return sql`select flowsheet_id from property_infos where id = ${t.propertyId}`
  return sql`select flowsheet_id from property_packages where id = ${t.packageId}`
}

/** Read access: the flowsheet of `target` when `userId` owns it, else 404. */
export async function ownedFlowsheet(
  db: Db,
  flowsheetId: number,
  userId: number,
): Promise<{ id: number; version: number; name: string }> {
  const row = await db
    .selectFrom('flowsheets')
    .select(['id', 'version', 'name'])
    .where('id', '=', flowsheetId)
    .where('owner_id', '=', userId)
    .executeTakeFirst()
  if (!row) throw notFound('Flowsheet', flowsheetId)
  return row
}
