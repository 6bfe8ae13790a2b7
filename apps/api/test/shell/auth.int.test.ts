/** Sign-on: proxy headers from trusted peers and allowed emails only; local mode; CSRF; CORS. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestApp, type TestApp } from '../harness.ts'
import { createFakeSolver } from '../fake-solver.ts'

const dir = mkdtempSync(join(tmpdir(), 'rere-auth-'))
const emailsFile = join(dir, 'allowed')
writeFileSync(emailsFile, '# the team\nCarol@Partner.example\n')

describe('AUTH_MODE=proxy', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({
      solver: createFakeSolver(),
      env: {
        AUTH_MODE: 'proxy',
        TRUSTED_PROXIES: '10.0.0.0/24,127.0.0.1',
        AUTH_ALLOWED_DOMAINS: 'example.test',
        AUTH_ALLOWED_EMAILS_FILE: emailsFile,
        CORS_ORIGINS: 'https://app.example.test',
      },
      configure: (app) => {
        app.get('/test/ip', async (req) => ({ ip: req.ip }))
      },
    })
  })
  afterAll(() => t?.close())

  const me = (headers: Record<string, string>, remoteAddress = '10.0.0.7') =>
    t.inject({ method: 'GET', url: '/api/me/', headers, remoteAddress })

  it('answers 401 JSON AUTH_REQUIRED without identity (never a redirect)', async () => {
    const r = await me({})
    expect(r.statusCode).toBe(401)
    expect(r.headers['content-type']).toMatch(/^application\/json/)
    expect(r.headers.location).toBeUndefined()
    expect(r.json()).toMatchObject({ statusCode: 401, code: 'AUTH_REQUIRED', details: {} })
  })

  it('believes X-Auth-Request-Email from a trusted proxy and creates the user once', async () => {
    const r1 = await me({ 'x-auth-request-email': 'Dave@Example.test' })
    expect(r1.statusCode).toBe(200)
    expect(r1.json()).toMatchObject({
      email: 'dave@example.test',
      authMode: 'proxy',
      via: 'proxy',
    })
    const r2 = await me({ 'x-forwarded-email': 'dave@example.test' }, '127.0.0.1')
    expect(r2.json().id).toBe(r1.json().id)
    const rows = await sql<{
      n: number
    }>`select count(*)::int as n from users where email = 'dave@example.test'`.execute(
      t.database.db,
    )
    expect(rows.rows[0].n).toBe(1)
  })

  it('ignores identity headers from an untrusted peer, even with a forged X-Forwarded-For', async () => {
    for (const remoteAddress of ['10.0.1.7', '192.168.1.5', '::1'])
      expect(
        (
          await me(
            { 'x-auth-request-email': 'dave@example.test', 'x-forwarded-for': '10.0.0.7' },
            remoteAddress,
          )
        ).statusCode,
      ).toBe(401)
  })

  it('refuses emails outside AUTH_ALLOWED_DOMAINS / AUTH_ALLOWED_EMAILS_FILE with 403', async () => {
    const bad = await me({ 'x-auth-request-email': 'mallory@evil.example' })
    expect(bad.statusCode).toBe(403)
    expect(bad.json().code).toBe('AUTH_FORBIDDEN')
    const sub = await me({ 'x-auth-request-email': 'eve@sub.example.test' })
    expect(sub.statusCode).toBe(403)
    const listed = await me({ 'x-auth-request-email': 'carol@partner.example' })
    expect(listed.statusCode).toBe(200)
    const notListed = await me({ 'x-auth-request-email': 'dan@partner.example' })
    expect(notListed.statusCode).toBe(403)
    const garbage = await me({ 'x-auth-request-email': 'not an email' })
    expect(garbage.statusCode).toBe(401)
    expect(garbage.json().code).toBe('AUTH_BAD_IDENTITY')
  })

  it('takes the client address from X-Forwarded-For only through trusted proxies', async () => {
    const ip = (remoteAddress: string) =>
      t.inject({ url: '/test/ip', headers: { 'x-forwarded-for': '203.0.113.9' }, remoteAddress })
    expect((await ip('10.0.0.7')).json().ip).toBe('203.0.113.9')
    expect((await ip('198.51.100.1')).json().ip).toBe('198.51.100.1')
  })

  describe('CSRF', () => {
    const post = (headers: Record<string, string>) =>
      t.inject({
        method: 'POST',
        url: '/api/tokens/',
        payload: { name: 'csrf' },
        remoteAddress: '10.0.0.7',
        headers: {
          'x-auth-request-email': 'dave@example.test',
          host: 'rere.example.test',
          ...headers,
        },
      })

    it('refuses a proxy-authenticated write from a foreign Origin', async () => {
      const r = await post({ origin: 'https://evil.example' })
      expect(r.statusCode).toBe(403)
      expect(r.json()).toMatchObject({ code: 'AUTH_CSRF', details: { field: 'origin' } })
      expect((await post({ 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403)
      expect((await post({ origin: 'null' })).statusCode).toBe(403)
    })

    it('accepts the same origin, CORS_ORIGINS, and non-browser clients (no Origin)', async () => {
      expect((await post({ origin: 'https://rere.example.test' })).statusCode).toBe(201)
      expect((await post({ origin: 'https://app.example.test' })).statusCode).toBe(201)
      expect((await post({})).statusCode).toBe(201)
      expect((await post({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201)
    })

    it('exempts Bearer-token requests and safe methods', async () => {
      const tok = await t.tokenUser('dave@example.test')
      const r = await t.inject({
        method: 'POST',
        url: '/api/tokens/',
        payload: { name: 'via token' },
        remoteAddress: '198.51.100.1',
        headers: { ...tok.headers, origin: 'https://evil.example' },
      })
      expect(r.statusCode).toBe(201)
      const g = await t.inject({
        method: 'GET',
        url: '/api/me/',
        remoteAddress: '10.0.0.7',
        headers: { 'x-auth-request-email': 'dave@example.test', origin: 'https://evil.example' },
      })
      expect(g.statusCode).toBe(200)
    })
  })

  describe('CORS', () => {
    it('allows only CORS_ORIGINS', async () => {
      const ok = await t.inject({
        method: 'OPTIONS',
        url: '/api/me/',
        headers: {
          origin: 'https://app.example.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,authorization',
        },
      })
      expect(ok.statusCode).toBe(204)
      expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.test')
      expect(ok.headers['access-control-allow-credentials']).toBe('true')
      const bad = await t.inject({
        method: 'OPTIONS',
        url: '/api/me/',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      })
      expect(bad.headers['access-control-allow-origin']).toBeUndefined()
      const get = await t.inject({
        method: 'GET',
        url: '/api/status/',
        headers: { origin: 'https://evil.example' },
      })
      expect(get.headers['access-control-allow-origin']).toBeUndefined()
    })
  })
})

describe('AUTH_MODE=local', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({
      solver: createFakeSolver(),
      env: { AUTH_MODE: 'local', TRUSTED_PROXIES: '' },
    })
  })
  afterAll(() => t?.close())

  it('serves everyone as the one local user, ignoring identity headers', async () => {
    const a = await t.inject({ url: '/api/me/' })
    const b = await t.inject({
      url: '/api/me/',
      headers: { 'x-auth-request-email': 'x@example.test' },
    })
    expect(a.json()).toMatchObject({
      email: 'local@rere.localhost',
      authMode: 'local',
      via: 'local',
    })
    expect(b.json().id).toBe(a.json().id)
  })

  it('refuses requests addressed to a non-loopback name (DNS rebinding)', async () => {
    for (const host of ['evil.example:8080', '10.0.0.5:8080', 'localhost.evil.example'])
      expect((await t.inject({ url: '/api/me/', headers: { host } })).json().code).toBe(
        'AUTH_HOST_REFUSED',
      )
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080', 'rere.localhost'])
      expect((await t.inject({ url: '/api/me/', headers: { host } })).statusCode).toBe(200)
    // the last loopback name is remembered; other names are still checked, whatever came before
    for (const host of ['rere.localhost', 'evil.example', 'rere.localhost', 'rere.localhost.evil'])
      expect((await t.inject({ url: '/api/me/', headers: { host } })).statusCode).toBe(
        host === 'rere.localhost' ? 200 : 403,
      )
  })

  it('sends no CORS headers and allows no preflight without CORS_ORIGINS', async () => {
    const pre = await t.inject({
      method: 'OPTIONS',
      url: '/api/me/',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    })
    expect(pre.statusCode).toBe(404)
    expect(pre.headers['access-control-allow-origin']).toBeUndefined()
    const get = await t.inject({ url: '/api/me/', headers: { origin: 'http://localhost:5173' } })
    expect(get.statusCode).toBe(200)
    expect(get.headers['access-control-allow-origin']).toBeUndefined()
    expect(get.headers['access-control-allow-credentials']).toBeUndefined()
  })

  it('still applies CSRF to browser writes, and accepts tokens', async () => {
    const r = await t.inject({
      method: 'POST',
      url: '/api/tokens/',
      payload: { name: 'x' },
      headers: { origin: 'http://evil.example' },
    })
    expect(r.statusCode).toBe(403)
    const ok = await t.inject({
      method: 'POST',
      url: '/api/tokens/',
      payload: { name: 'x' },
      headers: { origin: 'http://localhost:80', host: 'localhost:80' },
    })
    expect(ok.statusCode).toBe(201)
    const me = await t.bearer(ok.json().token).inject({ url: '/api/me/' })
    expect(me.json()).toMatchObject({ email: 'local@rere.localhost', via: 'token' })
  })
})
