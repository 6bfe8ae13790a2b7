import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freePort } from './helpers.ts'

const cluster = fileURLToPath(new URL('../src/cluster.ts', import.meta.url))
const server = fileURLToPath(new URL('./server.mjs', import.meta.url))

describe('local target: N worker processes on one port (Node cluster)', () => {
  it('serves from N processes and stops them all on SIGTERM', async () => {
    const port = await freePort()
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', cluster, '--workers', '3', '--', server],
      {
        env: { ...process.env, PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let err = ''
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()))
    let up = 0
    p.stdout!.on('data', (d: Buffer) => (up += d.toString().trim().split('\n').length))
    const deadline = Date.now() + 30_000
    while (up < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(up).toBe(3)
    const pids = new Set<number>()
    for (let i = 0; i < 60 && pids.size < 3; i++) {
      const r = await fetch(`http://127.0.0.1:${port}/__stats`, {
        headers: { connection: 'close' },
      })
      pids.add(((await r.json()) as { pid: number }).pid)
    }
    expect(pids.size).toBe(3)
    expect(err).toContain('cluster: 3 workers listening')
    const code = await new Promise<number | null>((r) => {
      p.once('exit', (c) => r(c))
      p.kill('SIGTERM')
    })
    expect(code).toBe(0)
  })
  it('rejects bad arguments (exit 104)', async () => {
    const code = await new Promise<number | null>((r) => {
      const p = spawn(
        process.execPath,
        ['--import', 'tsx', cluster, '--workers', '0', '--', server],
        { stdio: 'ignore' },
      )
      p.once('exit', (c) => r(c))
    })
    expect(code).toBe(104)
  })
})
