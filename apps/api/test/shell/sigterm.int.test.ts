/** SIGTERM with 50 requests in flight: none lost, new connections refused, pool closed, exit 0. */
import { spawn } from 'node:child_process'
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createScratchDatabase, dbVariant } from '../harness.ts'

const script = fileURLToPath(new URL('./slow-server.ts', import.meta.url))

function get(url: string, agent: http.Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      url,
      { agent, headers: { 'x-auth-request-email': 'a@example.test' } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
  })
}

describe('graceful shutdown', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterAll(async () => {
    for (const c of cleanup) await c().catch(() => {})
  })

  it('finishes 50 in-flight requests after SIGTERM and exits 0', async () => {
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_MODE: 'proxy',
      TRUSTED_PROXIES: '127.0.0.1',
      AUTH_ALLOWED_DOMAINS: 'example.test',
      SHUTDOWN_GRACE_MS: '10000',
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      DATABASE_DIRECT_URL: '',
    }
    const variant = dbVariant()
    if (variant !== 'pglite') {
      const scratch = await createScratchDatabase(variant)
      cleanup.push(scratch.drop)
      env.DATABASE_URL = scratch.databaseUrl
      if (scratch.directUrl) env.DATABASE_DIRECT_URL = scratch.directUrl
    }
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let stderr = ''
    child.stderr.on('data', (c) => (stderr += c))
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (c) => {
        out += c
        const m = /\{"url":"([^"]+)"\}/.exec(out)
        if (m) resolve(m[1])
      })
      child.on('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)))
    })
    expect((await get(`${url}/api/ready/`, false)).status).toBe(200)

    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 25 })
    const requests = Array.from({ length: 50 }, (_, i) =>
      get(`${url}/api/test/slow/?ms=1500`, i % 2 ? keepAlive : false),
    )
    // wait until all 50 are inside the handler
    for (let i = 0; i < 100; i++) {
      const r = await get(`${url}/api/test/inflight/`, false)
      if (JSON.parse(r.body).inFlight === 50) break
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(JSON.parse((await get(`${url}/api/test/inflight/`, false)).body).inFlight).toBe(50)
    const t0 = Date.now()
    child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 200))
    // the listener is closed: a new connection is refused
    await expect(get(`${url}/api/status/`, false)).rejects.toThrow(
      /ECONNREFUSED|ECONNRESET|socket hang up/,
    )

    const results = await Promise.all(requests)
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200))
    for (const r of results) expect(JSON.parse(r.body).ok).toBe(true)
    const code = await exited
    expect(code, stderr).toBe(0)
    expect(Date.now() - t0).toBeLessThan(8000)
    keepAlive.destroy()
  })
})
