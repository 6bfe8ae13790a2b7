/**
 * The PgBouncer configuration files the deployment ships (Compose and Kubernetes), run by the
 * real pgbouncer binary (Debian's, installed by .ci/run) in front of the local PostgreSQL at
 * 127.0.0.1:5432: only the addresses, port and file paths are substituted. Checks that
 * pgbouncer accepts the file, authenticates with SCRAM from a userlist like the deployment's,
 * rejects a wrong password, proxies queries, and reports transaction pooling.
 * (The API itself behind PgBouncer is the integration suite's DB_VARIANT=pgbouncer run.)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from './lib/render.ts'

const bin = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p))
const PG_HOST = '127.0.0.1'
const PG_PORT = 5432

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

function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect({ host: '127.0.0.1', port })
      s.once('connect', () => (s.destroy(), resolve()))
      s.once('error', () => {
        s.destroy()
        if (Date.now() > until) reject(new Error(`pgbouncer did not listen on ${port}`))
        else setTimeout(attempt, 100)
      })
    }
    attempt()
  })
}

const children: ChildProcess[] = []
afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve()
          c.once('exit', () => resolve())
          c.kill('SIGINT')
        }),
    ),
  )
})

async function start(iniPath: string) {
  if (!bin) throw new Error('pgbouncer is not installed (apt-get install pgbouncer; .ci/run does)')
  const dir = mkdtempSync(join(tmpdir(), 'rere-pgb-'))
  chmodSync(dir, 0o777)
  const port = await freePort()
  const userlist = join(dir, 'userlist.txt')
  writeFileSync(userlist, '"postgres" "s3cret-Pw"\n')
  chmodSync(userlist, 0o644)
  const set: Record<string, string> = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    auth_file: userlist,
    logfile: join(dir, 'pgbouncer.log'),
    pidfile: join(dir, 'pgbouncer.pid'),
    admin_users: 'postgres',
    stats_users: 'postgres',
  }
  const seen = new Set<string>()
  let text = readFileSync(iniPath, 'utf8')
  expect(text).toMatch(/host=postgres port=5432/)
  text = text.replace(/host=postgres port=5432/, `host=${PG_HOST} port=${PG_PORT}`)
  text = text.replace(/^(\w+)\s*=.*$/gm, (line, key: string) => {
    if (!(key in set)) return line
    seen.add(key)
    return `${key} = ${set[key]}`
  })
  text +=
    Object.keys(set)
      .filter((k) => !seen.has(k))
      .map((k) => `${k} = ${set[k]}`)
      .join('\n') + '\n'
  const ini = join(dir, 'pgbouncer.ini')
  writeFileSync(ini, text)
  chmodSync(ini, 0o644)
  // pgbouncer refuses to run as root: run it as the postgres user then (as scripts/pgbouncer.sh)
  const asUser =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
          gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
        }
      : {}
  const child = spawn(bin, [ini], { stdio: ['ignore', 'pipe', 'pipe'], ...asUser })
  children.push(child)
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr += d))
  try {
    await waitForPort(port, 10_000)
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n${stderr}\n${existsSync(set.logfile) ? readFileSync(set.logfile, 'utf8') : ''}`,
    )
  }
  return { port, child }
}

async function query(port: number, database: string, password: string, sql: string) {
  const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database })
  await c.connect()
  try {
    return (await c.query(sql)).rows
  } finally {
    await c.end()
  }
}

for (const [label, file] of [
  ['Compose', 'deploy/compose/pgbouncer/pgbouncer.ini'],
  ['Kubernetes', 'deploy/k8s/base/pgbouncer.ini'],
]) {
  describe(`PgBouncer (${label} configuration) on the real binary`, () => {
    it('authenticates with SCRAM, proxies queries and pools by transaction', async () => {
      const { port } = await start(join(repoRoot, file))
      const rows = await query(port, 'test', 's3cret-Pw', 'select 41 + 1 as answer')
      expect(rows).toEqual([{ answer: 42 }])
      await expect(query(port, 'test', 'wrong', 'select 1')).rejects.toThrow(
        /password authentication failed|SASL/,
      )
      const config = await query(port, 'pgbouncer', 's3cret-Pw', 'SHOW CONFIG')
      const get = (k: string) => config.find((r) => r.key === k)?.value
      expect(get('pool_mode')).toBe('transaction')
      expect(get('auth_type')).toBe('scram-sha-256')
      expect(Number(get('max_client_conn'))).toBeGreaterThanOrEqual(1000)
    })
  })
}
