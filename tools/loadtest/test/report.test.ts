import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import http from 'node:http'
import { existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import { NdjsonWriter } from '../src/output.ts'
import { compareMarkdown, loadRun, summaryCsv, writeReport } from '../src/report.ts'
import { clusterSeries, queryRange, DEFAULT_QUERIES } from '../src/prometheus.ts'
import { netemCommands, withNetem } from '../src/netem.ts'

const dir = mkdtempSync(join(tmpdir(), 'rere-rep-'))
const root = fileURLToPath(new URL('../../..', import.meta.url))
const T0 = Date.UTC(2026, 0, 1, 12)

/** A synthetic trial: `rate` req/s for `secs` s, latency `ms` (`slowAfter` s later: `slowMs`). */
async function trial(
  path: string,
  o: {
    rate: number
    secs: number
    ms: number
    slowAfter?: number
    slowMs?: number
    failEvery?: number
  },
) {
  const w = new NdjsonWriter(path)
  const url = 'http://h/api/unitops/unitops/?flowsheetOwner=1'
  let n = 0
  for (let i = 0; i < o.rate * o.secs; i++) {
    const start = T0 + (i * 1000) / o.rate
    const dur =
      o.slowAfter !== undefined && start - T0 >= o.slowAfter * 1000 ? (o.slowMs as number) : o.ms
    const failed = o.failEvery && ++n % o.failEvery === 0 ? 1 : 0
    const tags = JSON.stringify({ method: 'GET', url, status: failed ? '500' : '200' })
    w.point('http_reqs', start + dur, 1, tags)
    w.point('http_req_duration', start + dur, dur, tags)
    w.point('http_req_blocked', start + dur, 0, tags)
    w.point('http_req_failed', start + dur, failed, tags)
  }
  for (let s = 0; s < o.secs; s++)
    w.point('vus', T0 + s * 1000, Math.round((o.rate * o.ms) / 1000), null)
  await w.close(true)
}

// a fake Prometheus: checks auth, answers query_range with a matrix built from the query
let prom: http.Server
let promUrl = ''
const seen: { auth?: string; query: string; step: string }[] = []
beforeAll(async () => {
  prom = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    if (u.pathname !== '/prom/api/v1/query_range') return void res.writeHead(404).end()
    const auth = req.headers.authorization
    if (auth !== 'Bearer s3cret' && auth !== `Basic ${Buffer.from('u:p').toString('base64')}`)
      return void res.writeHead(401).end('unauthorized')
    const q = u.searchParams.get('query') ?? ''
    seen.push({ auth, query: q, step: u.searchParams.get('step') ?? '' })
    if (q === 'bad(')
      return void res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'error', error: 'parse error' }))
    const start = Number(u.searchParams.get('start'))
    const end = Number(u.searchParams.get('end'))
    const values: [number, string][] = []
    const v = q.includes('replicas')
      ? (t: number) => (t - T0 / 1000 < 5 ? 1 : 3)
      : q.includes('/')
        ? () => 0.25
        : () => 0.5
    for (let t = start; t <= end; t += 5) values.push([t, String(v(t))])
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(
      JSON.stringify({
        status: 'success',
        data: { resultType: 'matrix', result: [{ metric: {}, values }] },
      }),
    )
  })
  await new Promise<void>((r) => prom.listen(0, '127.0.0.1', () => r()))
  promUrl = `http://127.0.0.1:${(prom.address() as AddressInfo).port}/prom`
})
afterAll(() => new Promise<void>((r) => prom.close(() => r())))

describe('Prometheus query_range client', () => {
  it('sends bearer or basic auth and parses the matrix', async () => {
    const pts = await queryRange(
      { url: promUrl, bearer: 's3cret', stepS: 5 },
      'up',
      T0,
      T0 + 20_000,
    )
    expect(pts).toHaveLength(5)
    expect(pts[0]).toEqual([T0, 0.5])
    expect(seen.at(-1)).toMatchObject({ query: 'up', step: '5s' })
    const b = await queryRange(
      { url: promUrl, basic: { user: 'u', password: 'p' } },
      'up',
      T0,
      T0 + 5000,
    )
    expect(b.length).toBeGreaterThan(0)
    await expect(
      queryRange({ url: promUrl, bearer: 'wrong' }, 'up', T0, T0 + 5000),
    ).rejects.toMatchObject({ code: 'LOADTEST_PROM_AUTH' })
    await expect(
      queryRange({ url: promUrl, bearer: 's3cret' }, 'bad(', T0, T0 + 5000),
    ).rejects.toMatchObject({ code: 'LOADTEST_PROM_FAILED' })
    await expect(
      queryRange({ url: 'http://127.0.0.1:9', bearer: 'x', timeoutMs: 2000 }, 'up', T0, T0 + 5000),
    ).rejects.toMatchObject({ code: 'LOADTEST_PROM_UNREACHABLE' })
  })
  it('substitutes namespace and deployments into the default queries', async () => {
    const c = await clusterSeries(
      { url: promUrl, bearer: 's3cret', namespace: 'ns1', deployments: { api: 'a', solver: 's' } },
      T0,
      T0 + 10_000,
    )
    expect(Object.keys(c.series).sort()).toEqual(Object.keys(DEFAULT_QUERIES).sort())
    const q = seen.find(
      (s) =>
        s.query.includes('kube_deployment_status_replicas_available') && s.query.includes('"a"'),
    )
    expect(q?.query).toContain('namespace="ns1"')
  })
})

describe('reports', () => {
  it('writes HTML, SVG, Markdown and CSV; joins cluster metrics; compares runs', async () => {
    const a = join(dir, 'a')
    const b = join(dir, 'b')
    mkdirSync(a)
    mkdirSync(b)
    await trial(join(a, 'trial-1.ndjson'), {
      rate: 20,
      secs: 20,
      ms: 10,
      slowAfter: 10,
      slowMs: 300,
    })
    await trial(join(a, 'trial-2.ndjson'), {
      rate: 20,
      secs: 20,
      ms: 12,
      slowAfter: 12,
      slowMs: 300,
    })
    await trial(join(b, 'trial-1.ndjson'), { rate: 20, secs: 20, ms: 5, failEvery: 10 })
    const ra = await loadRun([a], { tauS: 1, prom: { url: promUrl, bearer: 's3cret', stepS: 5 } })
    expect(ra.trials).toHaveLength(2)
    expect(ra.trials[0].summary.degradation?.tS).toBeGreaterThan(10)
    expect(ra.trials[0].summary.degradation?.tS).toBeLessThan(12)
    expect(ra.trials[1].summary.degradation?.tS).toBeGreaterThan(12)
    expect(ra.aggregate.degradationTimeS.n).toBe(2)
    expect(ra.trials[0].summary.maxClusterCpuShare).toBe(0.25)
    expect(ra.trials[0].buckets[2].cluster?.['replicas:api']).toBe(1)
    expect(ra.trials[0].buckets[12].cluster?.['replicas:api']).toBe(3)
    const files = writeReport(ra, a)
    for (const f of [
      'report.html',
      'summary.md',
      'summary.csv',
      'charts/rates.svg',
      'charts/response-time-trial-1.svg',
      'charts/replicas.svg',
      'timeline-1.csv',
    ])
      expect(files).toContain(join(a, f))
    const html = readFileSync(join(a, 'report.html'), 'utf8')
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/)
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(6)
    const md = readFileSync(join(a, 'summary.md'), 'utf8')
    expect(md).toContain('| median response time [ms] |')
    expect(md).toContain('| max cluster CPU requested by api+solver [%] | 25.0 | 25.0 | 25.0 |')
    const csv = summaryCsv(ra).trim().split('\n')
    expect(csv).toHaveLength(1 + 2 + 4)
    expect(csv[0].split(',')[0]).toBe('row')
    const rb = await loadRun([b])
    expect(rb.trials[0].summary.errorRate).toBeCloseTo(0.1, 12)
    const cmp = compareMarkdown(ra, rb)
    expect(cmp).toMatch(/\| error rate \[%\] \| 0\.00 \(sd 0\.00\) \| 10\.00 \| - \|/)
    expect(cmp).toContain('| median response time [ms] |')
    // the analyzer reads its own timeline-free run folder again after the report was written
    expect((await loadRun([a])).trials).toHaveLength(2)
  })
  it('refuses a .partial results file unless --allow-partial', async () => {
    const p = join(dir, 'x.ndjson.partial')
    writeFileSync(p, '')
    await expect(loadRun([p])).rejects.toMatchObject({
      code: 'LOADTEST_PARTIAL_RESULTS',
      exitCode: 104,
    })
  })
})

describe('latency injection (netem)', () => {
  it('adds the qdisc, always removes it, refuses CI and bad names', async () => {
    const bin = join(dir, 'tcbin')
    mkdirSync(bin)
    const log = join(dir, 'tc.log')
    writeFileSync(join(bin, 'tc'), `#!/bin/sh\necho "tc $*" >> ${log}\n`)
    writeFileSync(join(bin, 'ip'), `#!/bin/sh\necho "ip $*" >> ${log}\n`)
    chmodSync(join(bin, 'tc'), 0o755)
    chmodSync(join(bin, 'ip'), 0o755)
    const path = process.env.PATH
    const ci = process.env.CI
    process.env.PATH = `${bin}:${path}`
    delete process.env.CI
    try {
      await expect(
        withNetem({ delay: '5ms', dev: 'lo' }, async () => Promise.reject(new Error('run failed'))),
      ).rejects.toThrow('run failed')
      expect(await withNetem({ delay: '5ms', dev: 'veth0', netns: 'bench' }, async () => 42)).toBe(
        42,
      )
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
        'tc qdisc add dev lo root netem delay 5ms',
        'tc qdisc del dev lo root netem',
        'ip netns exec bench tc qdisc add dev veth0 root netem delay 5ms',
        'ip netns exec bench tc qdisc del dev veth0 root netem',
      ])
      await expect(withNetem({ delay: '5 ms', dev: 'lo' }, async () => 1)).rejects.toMatchObject({
        exitCode: 104,
      })
      await expect(
        withNetem({ delay: '5ms', dev: 'lo; rm -rf /' }, async () => 1),
      ).rejects.toMatchObject({ exitCode: 104 })
      process.env.CI = 'true'
      await expect(withNetem({ delay: '5ms', dev: 'lo' }, async () => 1)).rejects.toMatchObject({
        code: 'LOADTEST_NETEM_IN_CI',
      })
    } finally {
      process.env.PATH = path
      if (ci === undefined) delete process.env.CI
      else process.env.CI = ci
    }
    expect(netemCommands({ delay: '1ms', dev: 'eth0' }).del).toEqual([
      'tc',
      'qdisc',
      'del',
      'dev',
      'eth0',
      'root',
      'netem',
    ])
  })
})

describe('rere loadtest (CLI)', () => {
  const rere = (...args: string[]) =>
    spawnSync(process.execPath, [join(root, 'apps/cli/bin/rere.mjs'), ...args], {
      encoding: 'utf8',
      cwd: dir,
    })
  it('bad input: one-line errors and k6 exit codes', () => {
    const cases: [string[], number, RegExp][] = [
      [['loadtest', 'run', '--profile', 'nope', '--dry-run'], 104, /unknown profile "nope"/],
      [['loadtest', 'run', '--endpoint', 'xyz', '--dry-run'], 104, /unknown endpoint "xyz"/],
      [['loadtest', 'run', '--rate-scale', '-1', '--dry-run'], 104, /--rate-scale/],
      [['loadtest', 'run', '--url', 'http://127.0.0.1:9', '--trials', '1'], 107, /does not answer/],
      [['loadtest', 'run', '--url', 'ftp://x'], 104, /expected http/],
      [['loadtest', 'analyze', join(dir, 'nothing.ndjson')], 104, /no such file/],
      [['experiment', 'run', join(dir, 'nothing.json')], 104, /plan file not readable/],
    ]
    for (const [args, code, re] of cases) {
      const r = rere(...args)
      expect(r.status, args.join(' ')).toBe(code)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(re)
    }
  })
  it('--dry-run prints the scaled scenario', () => {
    const r = rere(
      'loadtest',
      'run',
      '--profile',
      'breakpoint',
      '--endpoint',
      'fs',
      '--rate-scale',
      '2',
      '--time-scale',
      '0.1',
      '--dry-run',
    )
    expect(r.status).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j.scenario.stages).toEqual([{ duration: '60s', target: 64 }])
    expect(j.scenario.thresholds.vus[0]).toEqual({ threshold: 'value<=100', abortOnFail: true })
    expect(existsSync(join(dir, 'loadtest-results'))).toBe(false)
  })
})
