/** Personal API tokens: hashed at rest, listed without secrets, expiry, revocation, isolation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type TestApp } from '../harness.ts'
import { createFakeSolver } from '../fake-solver.ts'
import {
  TOKEN_CACHE_MS,
  TokenVerifier,
  createToken,
  hashToken,
} from '../../src/tokens/token.service.ts'

describe('API tokens', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ solver: createFakeSolver() })
  })
  afterAll(() => t?.close())

  it('creates a token shown once, stores only its SHA-256, and lists it without the secret', async () => {
    const alice = t.user('alice@example.test')
    const r = await alice.inject({
      method: 'POST',
      url: '/api/tokens/',
      payload: { name: 'laptop', expiresInDays: 30 },
    })
    expect(r.statusCode).toBe(201)
    const created = r.json()
    expect(created.token).toMatch(/^rere_[A-Za-z0-9_-]{43}$/)
    expect(created.prefix).toBe(created.token.slice(0, 12))
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThan(30.1)
    const rows = await t.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', created.id)
      .execute()
    expect(rows[0].token_hash).toBe(hashToken(created.token))
    expect(JSON.stringify(rows)).not.toContain(created.token)
    const list = await alice.inject({ url: '/api/tokens/' })
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain(created.token)
    expect(list.json()).toContainEqual(
      expect.objectContaining({
        id: created.id,
        name: 'laptop',
        prefix: created.prefix,
        revokedAt: null,
      }),
    )
  })

  it('authenticates with the token from anywhere and records last use', async () => {
    const tok = await t.tokenUser('bob@example.test', { name: 'ci' })
    const r = await t.inject({
      url: '/api/me/',
      headers: tok.headers,
      remoteAddress: '203.0.113.5',
    })
    expect(r.statusCode).toBe(200)
    expect(r.json()).toMatchObject({ email: 'bob@example.test', via: 'token' })
    const row = await t.database.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('token_hash', '=', hashToken(tok.token))
      .executeTakeFirstOrThrow()
    expect(row.last_used_at).not.toBeNull()
  })

  it('rejects unknown, malformed and non-Bearer credentials with 401', async () => {
    const fake = 'rere_' + 'A'.repeat(43)
    for (const authorization of [`Bearer ${fake}`, 'Bearer nope', 'Basic dXNlcjpwYXNz', 'Bearer'])
      expect((await t.inject({ url: '/api/me/', headers: { authorization } })).json().code).toMatch(
        /^AUTH_TOKEN_INVALID$/,
      )
    // a bad token is not rescued by proxy headers
    const r = await t.inject({
      url: '/api/me/',
      headers: { authorization: `Bearer ${fake}`, 'x-auth-request-email': 'alice@example.test' },
    })
    expect(r.statusCode).toBe(401)
  })

  it('refuses an expired token', async () => {
    const tok = await t.tokenUser('carol@example.test', { name: 'short', expiresInDays: 1 })
    expect((await tok.inject({ url: '/api/me/' })).statusCode).toBe(200)
    await sql`update api_tokens set expires_at = now() - interval '1 second' where token_hash = ${hashToken(tok.token)}`.execute(
      t.database.db,
    )
    // the verifier believes a checked token for TOKEN_CACHE_MS; drop that, as time would
    t.app.rere.tokens.clear()
    const r = await tok.inject({ url: '/api/me/' })
    expect(r.statusCode).toBe(401)
    expect(r.json().code).toBe('AUTH_TOKEN_EXPIRED')
  })

  it('revokes a token at once; other users cannot see or revoke it', async () => {
    const tok = await t.tokenUser('dave@example.test', { name: 'to revoke' })
    const id = (await tok.inject({ url: '/api/tokens/' })).json()[0].id
    const eve = t.user('eve@example.test')
    expect((await eve.inject({ url: '/api/tokens/' })).json()).toEqual([])
    const stolen = await eve.inject({ method: 'DELETE', url: `/api/tokens/${id}/` })
    expect(stolen.statusCode).toBe(404)
    expect(stolen.json().code).toBe('API_NOT_FOUND')
    expect((await tok.inject({ url: '/api/me/' })).statusCode).toBe(200)
    const del = await t
      .user('dave@example.test')
      .inject({ method: 'DELETE', url: `/api/tokens/${id}/` })
    expect(del.statusCode).toBe(204)
    const r = await tok.inject({ url: '/api/me/' })
    expect(r.statusCode).toBe(401)
    expect(r.json().code).toBe('AUTH_TOKEN_REVOKED')
    const listed = (await t.user('dave@example.test').inject({ url: '/api/tokens/' })).json()
    expect(listed[0].revokedAt).not.toBeNull()
    for (const bad of ['abc', '-1', '99999999999999999999', '1.5'])
      expect((await eve.inject({ method: 'DELETE', url: `/api/tokens/${bad}/` })).statusCode).toBe(
        404,
      )
  })

  it('validates the creation body, naming the field', async () => {
    const alice = t.user('alice@example.test')
    const cases: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 5 }, 'name'],
      [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', expiresInDays: -1 }, 'expiresInDays'],
      [{ name: 'x', expiresInDays: 'ten' }, 'expiresInDays'],
      [{ name: 'x', admin: true }, 'admin'],
      [[1, 2], 'body'],
    ]
    for (const [payload, field] of cases) {
      const r = await alice.inject({
        method: 'POST',
        url: '/api/tokens/',
        payload: payload as object,
      })
      expect(r.statusCode, JSON.stringify(payload)).toBe(400)
      expect(r.json().details.field).toBe(field)
    }
    // a value PostgreSQL cannot store (NUL) is the client's 400, not a 500 (found by the fuzz test)
    const nul = await alice.inject({
      method: 'POST',
      url: '/api/tokens/',
      payload: { name: 'a\u0000b' },
    })
    expect(nul.statusCode).toBe(400)
    expect(nul.json().code).toBe('API_VALIDATION')
    const ok = await alice.inject({
      method: 'POST',
      url: '/api/tokens/',
      payload: { name: 'dated', expiresAt: '2999-01-01T00:00:00Z' },
    })
    expect(ok.json().expiresAt).toBe('2999-01-01T00:00:00.000Z')
  })

  it('caches a verified token for TOKEN_CACHE_MS: a revocation elsewhere lands within it, expiry at once', async () => {
    const user = await t.app.rere.users.ensure('frank@example.test')
    const created = await createToken(t.database.db, user.id, {
      name: 'cache',
      expiresAt: new Date(Date.now() + 60_000),
    })
    const v = new TokenVerifier(t.database.db)
    const t0 = Date.now()
    expect((await v.verify(created.token, t0)).email).toBe('frank@example.test')
    // revoked by another replica: this one still believes it within the TTL, not after
    await sql`update api_tokens set revoked_at = now() where id = ${created.id}`.execute(
      t.database.db,
    )
    expect((await v.verify(created.token, t0 + TOKEN_CACHE_MS - 1)).tokenId).toBe(created.id)
    await expect(v.verify(created.token, t0 + TOKEN_CACHE_MS)).rejects.toMatchObject({
      code: 'AUTH_TOKEN_REVOKED',
    })
    // expiry needs no database round trip
    const other = await createToken(t.database.db, user.id, {
      name: 'expiring',
      expiresAt: new Date(t0 + 1000),
    })
    await v.verify(other.token, t0)
    await expect(v.verify(other.token, t0 + 1000)).rejects.toMatchObject({
      code: 'AUTH_TOKEN_EXPIRED',
    })
  })

  it('refuses (403) a token whose owner is no longer on the proxy allow list', async () => {
    const gone = await t.app.rere.users.ensure('old@gone.example')
    const created = await createToken(t.database.db, gone.id, { name: 'old', expiresAt: null })
    const r = await t.bearer(created.token).inject({ url: '/api/me/' })
    expect(r.statusCode).toBe(403)
    expect(r.json().code).toBe('AUTH_FORBIDDEN')
  })
})
