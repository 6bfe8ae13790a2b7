/**
 * The web app's files as `rere start` serves them: looked up per request (a rebuilt dist needs no
 * restart), the build's brotli / gzip copies to clients that accept them, immutable caching of
 * hashed assets, and the single-page fallback that never swallows an API path.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness.ts'

const dist = mkdtempSync(join(tmpdir(), 'rere-web-'))
const INDEX = '<!doctype html><title>Rere</title><div id="root"></div>'
const APP_JS = `console.log(${JSON.stringify('x'.repeat(4000))})`
let t: TestApp
beforeAll(async () => {
  mkdirSync(join(dist, 'assets'))
  writeFileSync(join(dist, 'index.html'), INDEX)
  writeFileSync(join(dist, 'assets/app-1234.js'), APP_JS)
  writeFileSync(join(dist, 'assets/app-1234.js.gz'), gzipSync(APP_JS))
  writeFileSync(join(dist, 'assets/app-1234.js.br'), brotliCompressSync(APP_JS))
  t = await createTestApp({ webDist: dist })
})
afterAll(async () => {
  await t?.close()
  rmSync(dist, { recursive: true, force: true })
})

/** GET the test asset with an Accept-Encoding header. */
const asset = (acceptEncoding: string) =>
  t.inject({
    method: 'GET',
    url: '/assets/app-1234.js',
    headers: { 'accept-encoding': acceptEncoding },
  })

describe('web files', () => {
  it('sends the brotli or gzip copy to clients that accept it, the file itself otherwise', async () => {
    const br = await asset('gzip, deflate, br')
    expect(br.statusCode).toBe(200)
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['vary']).toMatch(/accept-encoding/i)
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(APP_JS)
    const gz = await asset('gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(gz.rawPayload).toString()).toBe(APP_JS)
    const plain = await asset('identity')
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body).toBe(APP_JS)
  })

  it('serves files added after start (a rebuild needs no restart)', async () => {
    const before = await t.inject({ method: 'GET', url: '/assets/later-5678.js' })
    // an unknown path is the single-page app's
    expect(before.headers['content-type']).toMatch(/text\/html/)
    writeFileSync(join(dist, 'assets/later-5678.js'), 'export const later = 1')
    const after = await t.inject({ method: 'GET', url: '/assets/later-5678.js' })
    expect(after.statusCode).toBe(200)
    expect(after.headers['content-type']).toMatch(/javascript/)
    expect(after.body).toBe('export const later = 1')
  })

  it('falls back to index.html for app routes, never for API paths', async () => {
    for (const url of ['/', '/flowsheets/12', '/flowsheets/12?tab=results']) {
      const r = await t.inject({ method: 'GET', url })
      expect(r.statusCode, url).toBe(200)
      expect(r.headers['content-type'], url).toMatch(/text\/html/)
      expect(r.body, url).toBe(INDEX)
    }
    const api = await t.inject({ method: 'GET', url: '/api/no-such-route/' })
    expect(api.statusCode).toBe(404)
    expect(api.json()).toMatchObject({ statusCode: 404 })
    const outside = await t.inject({ method: 'GET', url: '/../../etc/passwd' })
    expect(outside.body).not.toMatch(/root:/)
  })
})
