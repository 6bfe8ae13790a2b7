/**
 * Solver-service throughput: requests per second and latency of POST /solve for the Rere pump
 * sheet, measured with wrk (Debian's package) on this machine, beside a bare Node `http` server
 * answering a fixed JSON body in the same run (the ceiling of Node HTTP on this machine).
 *
 *   node --import tsx apps/solver-service/bench/service.bench.ts [--seconds 5] [--connections 16]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { warmUpDocument } from '../src/warmup-doc.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    workers: { type: 'string', default: '2' },
  },
})
const seconds = Number(values.seconds)
const connections = Number(values.connections)
const cli = fileURLToPath(new URL('../../cli/bin/rere.mjs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'rere-bench-'))
const body = JSON.stringify(warmUpDocument())
const lua = join(dir, 'post.lua')
writeFileSync(
  lua,
  `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`,
)

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}
async function waitReady(url: string) {
  for (let i = 0; i < 400; i++) {
    try {
      if ((await fetch(url)).status === 200) return
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${url} not ready`)
}

interface WrkResult {
  rps: number
  p50: string
  p99: string
  errors: string
}
function wrk(url: string, post: boolean, conns: number): WrkResult {
  const args = [
    '-t',
    '1',
    '-c',
    String(conns),
    '-d',
    `${seconds}s`,
    '--latency',
    ...(post ? ['-s', lua] : []),
    url,
  ]
  const r = spawnSync('wrk', args, { encoding: 'utf8' })
  if (r.error) throw r.error
  const out = r.stdout
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? '?'
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? '?'
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? '0'
  const sock = /Socket errors:([^\n]+)/.exec(out)?.[1]?.trim() ?? 'none'
  return { rps, p50, p99, errors: `non-2xx ${non2xx}; socket ${sock}` }
}

const children: ChildProcess[] = []
try {
  const basePort = await freePort()
  const fixed = JSON.stringify({ status: 'success', flowsheet: { id: 0, properties: [] } })
  const baseline = spawn(
    process.execPath,
    [
      '-e',
      `require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.writeHead(200,{'content-type':'application/json'});s.end(${JSON.stringify(fixed)})})}).listen(${basePort},'127.0.0.1')`,
    ],
    { stdio: 'ignore' },
  )
  children.push(baseline)
  const solverPort = await freePort()
  const solver = spawn(process.execPath, [cli, 'solver'], {
    env: {
      ...process.env,
      PORT: String(solverPort),
      SOLVER_WORKERS: values.workers,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  })
  children.push(solver)
  await new Promise((r) => setTimeout(r, 300))
  await waitReady(`http://127.0.0.1:${solverPort}/readyz`)

  const rows: [string, WrkResult][] = []
  for (const c of [1, connections]) {
    rows.push([
      `bare node http, fixed JSON (c=${c})`,
      wrk(`http://127.0.0.1:${basePort}/`, true, c),
    ])
    rows.push([
      `POST /solve pump sheet, ${values.workers} workers (c=${c})`,
      wrk(`http://127.0.0.1:${solverPort}/solve`, true, c),
    ])
  }
  console.log(
    `\nsolver service, wrk keep-alive, ${seconds} s per row, ${process.version}, ${(await import('node:os')).cpus().length} CPUs`,
  )
  console.log('| case | req/s | p50 | p99 | errors |\n| --- | ---: | ---: | ---: | --- |')
  for (const [name, r] of rows)
    console.log(`| ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} |`)
} finally {
  for (const c of children) c.kill('SIGTERM')
}
