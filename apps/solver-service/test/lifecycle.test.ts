import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { warmUpDocument } from '../src/warmup-doc.ts'

// The real `rere solver` process: readiness only after warm-up, and SIGTERM with requests in
// flight loses none of them and exits 0.
const cli = fileURLToPath(new URL('../../cli/bin/rere.mjs', import.meta.url))
let child: ChildProcess | undefined
afterEach(() => {
  child?.kill('SIGKILL')
  child = undefined
})

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

async function waitFor(url: string, status: number, ms = 30_000): Promise<number[]> {
  const seen: number[] = []
  const end = Date.now() + ms
  while (Date.now() < end) {
    try {
      const r = await fetch(url)
      seen.push(r.status)
      if (r.status === status) return seen
    } catch {
      seen.push(0)
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`${url} never answered ${status}; saw ${seen.slice(-5).join(',')}`)
}

function startSolver(port: number) {
  const p = spawn(process.execPath, [cli, 'solver'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      SOLVER_WORKERS: '1',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '10000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  p.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  p.stderr?.on('data', (d: Buffer) => (out += d.toString()))
  return { p, log: () => out }
}

describe('rere solver process', () => {
  it('is live before ready, ready only after the warm-up solve', async () => {
    const port = await freePort()
    const { p, log } = startSolver(port)
    child = p
    await waitFor(`http://127.0.0.1:${port}/healthz`, 200)
    await waitFor(`http://127.0.0.1:${port}/readyz`, 200)
    expect(log()).toMatch(/"msg":"ready"/)
    // the warm-up was logged before readiness was granted
    expect(log().indexOf('"msg":"warming up"')).toBeLessThan(log().indexOf('"msg":"ready"'))
  }, 60_000)

  it('finishes 30 in-flight requests after SIGTERM and exits 0', async () => {
    const port = await freePort()
    const { p, log } = startSolver(port)
    child = p
    await waitFor(`http://127.0.0.1:${port}/readyz`, 200)
    const body = JSON.stringify(warmUpDocument())
    const half = Math.floor(body.length / 2)
    // 30 requests whose bodies are half sent: in flight when SIGTERM arrives
    const sockets = await Promise.all(
      Array.from(
        { length: 30 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(port, '127.0.0.1', () => {
              s.write(
                `POST /solve HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
                  body.slice(0, half),
              )
              resolve(s)
            })
            s.on('error', reject)
          }),
      ),
    )
    const replies = sockets.map(
      (s) =>
        new Promise<string>((resolve) => {
          let data = ''
          s.on('data', (d: Buffer) => (data += d.toString()))
          s.on('close', () => resolve(data))
          s.on('error', () => resolve(data))
        }),
    )
    await new Promise((r) => setTimeout(r, 200))
    const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)))
    p.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 300))
    // new work is turned away while draining
    const late = await fetch(`http://127.0.0.1:${port}/solve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    for (const s of sockets) s.write(body.slice(half)) // no half-close: real clients wait for the reply
    const texts = await Promise.all(replies)
    expect(texts.filter((t) => t.startsWith('HTTP/1.1 200'))).toHaveLength(30)
    expect(late.status).toBe(503)
    expect(((await late.json()) as { code: string }).code).toBe('SOLVER_SHUTTING_DOWN')
    expect(await exited).toBe(0)
    expect(log()).toMatch(/shutting down/)
  }, 60_000)
})
