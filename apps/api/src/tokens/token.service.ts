/**
 * Personal API tokens: `rere_` + 43 base64url characters (256 random bits). Only the SHA-256 hex
 * of a token is stored (`api_tokens.token_hash`); the token itself is shown once, at creation.
 * `prefix` (the first 12 characters) lets a user recognise a token in lists.
 */
import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { AppError } from '@rere/contract'
import { toIso, type ShellDb } from '../auth/tables.ts'

export const TOKEN_PREFIX = 'rere_'
const TOKEN_RE = /^rere_[A-Za-z0-9_-]{43}$/
/** last_used_at is written at most this often per token [ms] */
const LAST_USED_EVERY_MS = 60_000

export interface TokenView {
  id: number
  name: string
  prefix: string
  createdAt: string | null
  expiresAt: string | null
  lastUsedAt: string | null
  revokedAt: string | null
}

export interface TokenUser {
  tokenId: number
  userId: number
  email: string
  displayName: string
  /** expiry [epoch ms] or null */
  expiresAtMs: number | null
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

interface TokenRow {
  id: number
  name: string
  prefix: string
  created_at: Date | string
  expires_at: Date | string | null
  last_used_at: Date | string | null
  revoked_at: Date | string | null
}

function view(r: TokenRow): TokenView {
  return {
    id: Number(r.id),
    name: r.name,
    prefix: r.prefix,
    createdAt: toIso(r.created_at),
    expiresAt: toIso(r.expires_at),
    lastUsedAt: toIso(r.last_used_at),
    revokedAt: toIso(r.revoked_at),
  }
}

const COLUMNS = [
  'id',
  'name',
  'prefix',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
] as const

export async function createToken(
  db: ShellDb,
  userId: number,
  input: { name: string; expiresAt: Date | null },
): Promise<TokenView & { token: string }> {
  const token = generateToken()
  const row = await db
    .insertInto('api_tokens')
    .values({
      user_id: userId,
      name: input.name,
      token_hash: hashToken(token),
      prefix: token.slice(0, 12),
      expires_at: input.expiresAt,
      last_used_at: null,
      revoked_at: null,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow()
  return { ...view(row), token }
}

export async function listTokens(db: ShellDb, userId: number): Promise<TokenView[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .select(COLUMNS)
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .execute()
  return rows.map(view)
}

/** Revoke one of the user's tokens; another user's id answers 404. Idempotent. */
export async function revokeToken(db: ShellDb, userId: number, id: number): Promise<void> {
  const r = await db
    .updateTable('api_tokens')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  if (Number(r.numUpdatedRows) === 0)
    throw new AppError('API_NOT_FOUND', `Token ${id} not found`, {
      statusCode: 404,
      details: { field: 'id' },
    })
}

/**
 * Check a presented token. Throws 401 AUTH_TOKEN_INVALID (unknown / malformed),
 * AUTH_TOKEN_EXPIRED or AUTH_TOKEN_REVOKED. Updates last_used_at at most once a minute.
 */
export async function verifyToken(
  db: ShellDb,
  token: string,
  now = new Date(),
): Promise<TokenUser> {
  if (!TOKEN_RE.test(token))
    throw new AppError('AUTH_TOKEN_INVALID', 'Invalid API token', { statusCode: 401 })
  const row = await db
    .selectFrom('api_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id as tokenId',
      't.expires_at',
      't.revoked_at',
      't.last_used_at',
      'u.id as userId',
      'u.email',
      'u.display_name',
    ])
    .where('t.token_hash', '=', hashToken(token))
    .executeTakeFirst()
  if (!row) throw new AppError('AUTH_TOKEN_INVALID', 'Invalid API token', { statusCode: 401 })
  if (row.revoked_at !== null)
    throw new AppError('AUTH_TOKEN_REVOKED', 'This API token was revoked', { statusCode: 401 })
  if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now.getTime())
    throw new AppError('AUTH_TOKEN_EXPIRED', 'This API token has expired', { statusCode: 401 })
  const last = row.last_used_at === null ? 0 : new Date(row.last_used_at).getTime()
  if (now.getTime() - last > LAST_USED_EVERY_MS)
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.tokenId)
      .execute()
  return {
    tokenId: Number(row.tokenId),
    userId: Number(row.userId),
    email: row.email,
    displayName: row.display_name ?? row.email,
    expiresAtMs: row.expires_at === null ? null : new Date(row.expires_at).getTime(),
  }
}

/** How long a verified token is believed without asking the database again [ms]. */
export const TOKEN_CACHE_MS = 5_000
const TOKEN_CACHE_MAX = 10_000

/**
 * Token verification with a short cache, so a token request costs no database round trip most of
 * the time. Revocation through this process takes effect at once (`forget`); through another API
 * replica within TOKEN_CACHE_MS. Expiry is checked on every request.
 */
export class TokenVerifier {
  private cache = new Map<string, { user: TokenUser; checkedAt: number }>()
  constructor(
    private db: ShellDb,
    private ttlMs = TOKEN_CACHE_MS,
  ) {}

  async verify(token: string, now = Date.now()): Promise<TokenUser> {
    if (!TOKEN_RE.test(token))
      throw new AppError('AUTH_TOKEN_INVALID', 'Invalid API token', { statusCode: 401 })
    const hash = hashToken(token)
    const hit = this.cache.get(hash)
    if (hit && now - hit.checkedAt < this.ttlMs) {
      if (hit.user.expiresAtMs !== null && hit.user.expiresAtMs <= now) {
        this.cache.delete(hash)
        throw new AppError('AUTH_TOKEN_EXPIRED', 'This API token has expired', { statusCode: 401 })
      }
      return hit.user
    }
    this.cache.delete(hash)
    const user = await verifyToken(this.db, token, new Date(now))
    if (this.cache.size >= TOKEN_CACHE_MAX) this.cache.clear()
    this.cache.set(hash, { user, checkedAt: now })
    return user
  }

  /** Drop a token from the cache (revoked here). */
  forget(tokenId: number): void {
    for (const [k, v] of this.cache) if (v.user.tokenId === tokenId) this.cache.delete(k)
  }

  clear(): void {
    this.cache.clear()
  }
}

/** Validate the POST /api/tokens/ body. */
export function parseTokenInput(
  body: unknown,
  now = new Date(),
): { name: string; expiresAt: Date | null } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new AppError('API_VALIDATION', 'Body must be a JSON object', {
      details: { field: 'body' },
    })
  const b = body as Record<string, unknown>
  for (const k of Object.keys(b))
    if (!['name', 'expiresAt', 'expiresInDays'].includes(k))
      throw new AppError('API_VALIDATION', `Unknown field ${k}`, { details: { field: k } })
  if (typeof b.name !== 'string' || b.name.trim() === '' || b.name.length > 100)
    throw new AppError('API_VALIDATION', 'name must be a string of 1 to 100 characters', {
      details: { field: 'name' },
    })
  if (b.expiresAt !== undefined && b.expiresInDays !== undefined)
    throw new AppError('API_VALIDATION', 'Give expiresAt or expiresInDays, not both', {
      details: { field: 'expiresAt' },
    })
  let expiresAt: Date | null = null
  if (b.expiresAt !== undefined && b.expiresAt !== null) {
    const d = typeof b.expiresAt === 'string' ? new Date(b.expiresAt) : new Date(NaN)
    if (
      typeof b.expiresAt !== 'string' ||
      !/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(b.expiresAt) ||
      Number.isNaN(d.getTime())
    )
      throw new AppError('API_VALIDATION', 'expiresAt must be an ISO 8601 date-time with zone', {
        details: { field: 'expiresAt' },
      })
    if (d.getTime() <= now.getTime())
      throw new AppError('API_VALIDATION', 'expiresAt must be in the future', {
        details: { field: 'expiresAt' },
      })
    expiresAt = d
  }
  if (b.expiresInDays !== undefined && b.expiresInDays !== null) {
    const n = b.expiresInDays
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 3650)
      throw new AppError('API_VALIDATION', 'expiresInDays must be a number from >0 to 3650', {
        details: { field: 'expiresInDays' },
      })
    expiresAt = new Date(now.getTime() + n * 86_400_000)
  }
  return { name: b.name.trim(), expiresAt }
}
