/**
 * The web image's nginx site (deploy/docker/nginx/default.conf) and the Compose variant
 * (deploy/compose/nginx-web.conf) on the real nginx (Debian's, installed by .ci/run), on loopback:
 * only the listen address, document root and the API's address are substituted. Checks the
 * caching headers, the SPA fallback, 404s for missing assets (not cached), the probe route, and
 * that Compose's /api/ reaches the API.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from './lib/render.ts'

const CI = process.env.CI === 'true' || process.env.CI === '1'
const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p))
if (!nginx && !CI)
  console.warn('nginx not installed: deploy/tests/nginx.test.ts skipped (apt-get install nginx)')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

const running: ChildProcess[] = []
const servers: http.Server[] = []
afterAll(async () => {
  await Promise.all(
    running.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.kill('SIGQUIT')
        }),
    ),
  )
  for (const s of servers) s.close()
})

function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect({ host: '127.0.0.1', port })
      s.once('connect', () => (s.destroy(), resolve()))
      s.once('error', () => {
        s.destroy()
        if (Date.now() > until) reject(new Error(`nginx did not listen on ${port}`))
        else setTimeout(attempt, 50)
      })
    }
    attempt()
  })
}

async function serve(site: string, substitutions: [RegExp, string][]) {
  if (!nginx) throw new Error('nginx is not installed (apt-get install nginx; .ci/run does)')
  const dir = mkdtempSync(join(tmpdir(), 'rere-nginx-'))
  mkdirSync(join(dir, 'html', 'assets'), { recursive: true })
  mkdirSync(join(dir, 'tmp'))
  writeFileSync(join(dir, 'html', 'index.html'), '<!doctype html><title>Rere</title>')
  writeFileSync(join(dir, 'html', 'assets', 'index-abc123.js'), 'console.log(1)')
  const port = await freePort()
  let conf = readFileSync(join(repoRoot, site), 'utf8')
    .replace(/listen \[::\]:8080;/, '')
    .replace(/listen 8080;/, `listen 127.0.0.1:${port};`)
    .replace('root /usr/share/nginx/html;', `root ${dir}/html;`)
  for (const [re, s] of substitutions) conf = conf.replace(re, s)
  writeFileSync(join(dir, 'site.conf'), conf)
  const t = join(dir, 'tmp')
  const main = join(dir, 'nginx.conf')
  writeFileSync(
    main,
    `pid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents {}\nhttp {\n  include /etc/nginx/mime.types;\n  access_log off;\n` +
      `  client_body_temp_path ${t}; proxy_temp_path ${t}; fastcgi_temp_path ${t}; uwsgi_temp_path ${t}; scgi_temp_path ${t};\n` +
      `  include ${dir}/site.conf;\n}\n`,
  )
  // nginx's workers (user nobody when started as root) must read the files
  for (const p of [dir, join(dir, 'html'), join(dir, 'html', 'assets'), t]) chmodSync(p, 0o755)
  for (const p of ['html/index.html', 'html/assets/index-abc123.js']) chmodSync(join(dir, p), 0o644)
  execFileSync(nginx, ['-t', '-q', '-c', main, '-p', dir])
  const child = spawn(nginx, ['-c', main, '-p', dir, '-g', 'daemon off;'], { stdio: 'ignore' })
  running.push(child)
  await waitForPort(port, 10_000)
  return `http://127.0.0.1:${port}`
}

describe.skipIf(!nginx && !CI)('nginx (web image) on the real binary', () => {
  it('caches fingerprinted assets, revalidates the shell, falls back to it for app routes', async () => {
    const base = await serve('deploy/docker/nginx/default.conf', [])
    const health = await fetch(`${base}/healthz`)
    expect(health.status).toBe(200)
    const asset = await fetch(`${base}/assets/index-abc123.js`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(asset.headers.get('content-type')).toMatch(/javascript/)
    const missing = await fetch(`${base}/assets/index-old999.js`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('cache-control')).toBeNull()
    for (const path of ['/', '/index.html', '/flowsheets/12', '/tokens']) {
      const r = await fetch(`${base}${path}`)
      expect(r.status, path).toBe(200)
      expect(r.headers.get('cache-control'), path).toBe('no-cache')
      expect(await r.text(), path).toContain('<title>Rere</title>')
    }
    expect(health.headers.get('x-content-type-options')).toBe('nosniff')
    expect(health.headers.get('server')).toBe('nginx')
  })

  it('Compose variant: /api/ goes to the API, the rest is the app', async () => {
    const api = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json')
      res.end(
        JSON.stringify({ path: req.url, forwardedFor: req.headers['x-forwarded-for'] ?? null }),
      )
    })
    servers.push(api)
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', () => r()))
    const apiPort = (api.address() as net.AddressInfo).port
    const base = await serve('deploy/compose/nginx-web.conf', [
      [/http:\/\/api:8080/, `http://127.0.0.1:${apiPort}`],
    ])
    const r = await fetch(`${base}/api/status/`)
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ path: '/api/status/', forwardedFor: '127.0.0.1' })
    const app = await fetch(`${base}/flowsheets/3`)
    expect(await app.text()).toContain('<title>Rere</title>')
  })
})
