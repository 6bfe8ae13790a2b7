import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'

export interface TestServer {
  url: string
  port: number
  proc: ChildProcess
  stop: () => Promise<void>
}

/** Start test/server.mjs in a child process; resolves with its base URL. */
export function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const script = fileURLToPath(new URL('./server.mjs', import.meta.url))
  const proc = spawn(process.execPath, [script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    proc.once('error', reject)
    proc.stdout!.once('data', (d: Buffer) => {
      const port = Number(d.toString().trim())
      resolve({
        url: `http://127.0.0.1:${port}`,
        port,
        proc,
        stop: () =>
          new Promise((r) => {
            if (proc.exitCode !== null) return r()
            proc.once('exit', () => r())
            proc.kill('SIGTERM')
          }),
      })
    })
  })
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}
