import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { aggregateTrials, analyzeFile } from '../src/analyze.ts'
import { NdjsonWriter } from '../src/output.ts'
import { parseCsvTime, parseTime, readSamples } from '../src/reader.ts'
import { Ewma, percentile } from '../src/stats.ts'

const fx = (f: string) => fileURLToPath(new URL(`./fixtures/${f}`, import.meta.url))

describe('k6 percentile estimator', () => {
  it('interpolates linearly at rank p(n-1)', () => {
    const v = [50, 10, 40, 20, 30]
    expect(percentile(v, 50)).toBe(30)
    expect(percentile(v, 90)).toBeCloseTo(46, 12)
    expect(percentile(v, 95)).toBeCloseTo(48, 12)
    expect(percentile(v, 0)).toBe(10)
    expect(percentile(v, 100)).toBe(50)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeNaN()
  })
})

describe('time parsing', () => {
  it('keeps sub-millisecond digits and offsets', () => {
    expect(parseTime('2024-01-01T00:00:00.123456789Z')).toBeCloseTo(
      Date.UTC(2024, 0, 1) + 123.456789,
      6,
    )
    expect(parseTime('2017-05-09T14:34:45.5+02:00')).toBe(Date.UTC(2017, 4, 9, 12, 34, 45, 500))
    expect(parseCsvTime('1704067200')).toBe(1704067200000)
    expect(parseCsvTime('1704067200250000')).toBe(1704067200250)
    expect(parseCsvTime('1704067200250')).toBe(1704067200250)
    expect(parseCsvTime('1704067200250000000')).toBeCloseTo(1704067200250, 3)
  })
})

describe('analyzer on hand-made k6 results', () => {
  for (const f of ['k6-modern.ndjson', 'k6-old.ndjson', 'k6.csv', 'k6-micro.csv']) {
    it(`${f}: the seed's statistics`, async () => {
      const { summary: s, buckets } = await analyzeFile(fx(f))
      expect(s.requests).toBe(5)
      expect(s.medianMs).toBe(30)
      expect(s.p90Ms).toBeCloseTo(46, 9)
      expect(s.p95Ms).toBeCloseTo(48, 9)
      expect(s.avgMs).toBe(30)
      expect(s.errorRate).toBeCloseTo(0.2, 12)
      expect(s.endpoint).toBe('uor')
      expect(s.degradationMs).toBe(100)
      expect(s.degradation).toBeNull()
      expect(s.maxCompletionRate).toBe(3)
      expect(buckets[0].completed + buckets[1].completed).toBe(5)
      if (f === 'k6-modern.ndjson') {
        expect(s.dropped).toBe(1)
        expect(s.maxVus).toBe(3)
        expect(s.maxStartRate).toBe(3)
        expect(s.durationS).toBeCloseTo(1.9, 9)
        expect(s.meanCompletionRate).toBeCloseTo(5 / 1.9, 9)
        expect(buckets[0].errorRate).toBeCloseTo(1 / 3, 12)
      }
    })
  }
  it('keeps extra_tags of a CSV and tolerates tags: null', async () => {
    const got: Record<string, string>[] = []
    for await (const s of readSamples(fx('k6-micro.csv'))) got.push(s.tags)
    expect(got[0].trial).toBe('1')
    expect(got[0].site).toBe('lab')
    const vus: number[] = []
    for await (const s of readSamples(fx('k6-modern.ndjson')))
      if (s.metric === 'vus') vus.push(s.value)
    expect(vus).toEqual([1, 3])
  })
  it('reports a malformed line with file and line number (exit 104)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rere-an-'))
    const p = join(dir, 'bad.ndjson')
    writeFileSync(
      p,
      '{"type":"Metric","data":{},"metric":"x"}\n{"type":"Point","data":{"time":"2024-01-01T00:00:00Z","value":1,"tags":null},"metric":"vus"}\n{"type":"Poi',
    )
    await expect(analyzeFile(p)).rejects.toMatchObject({
      code: 'LOADTEST_BAD_RESULTS',
      exitCode: 104,
      message: expect.stringContaining('bad.ndjson:3'),
    })
    await expect(analyzeFile(join(dir, 'missing.ndjson'))).rejects.toMatchObject({
      code: 'LOADTEST_RESULTS_UNREADABLE',
    })
    const c = join(dir, 'bad.csv')
    writeFileSync(c, 'a,b,c\n1,2,3\n')
    await expect(analyzeFile(c)).rejects.toMatchObject({ code: 'LOADTEST_BAD_RESULTS' })
  })
})

describe('EWMA and the degradation threshold', () => {
  it('time-decay EWMA: weight exp(-dt/tau), same-time samples all count', () => {
    const e = new Ewma(1)
    e.add(0, 10)
    e.add(0, 30)
    expect(e.value).toBe(20)
    e.add(1, 100) // old weight 2/e
    const k = Math.exp(-1)
    expect(e.value).toBeCloseTo((40 * k + 100) / (2 * k + 1), 12)
  })
  it('finds the degradation at a known latency step (synthetic FS run)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rere-an-'))
    const path = join(dir, 'step.ndjson')
    const w = new NdjsonWriter(path)
    const t0 = Date.UTC(2026, 0, 1)
    const url = 'http://h/api/solve/idaes/'
    const tags = JSON.stringify({ method: 'POST', status: '200', url, expected_response: 'true' })
    // 20 req/s for 60 s; 200 ms before t = 30 s, 2000 ms from then on
    for (let i = 0; i < 1200; i++) {
      const start = t0 + i * 50
      const dur = start - t0 < 30_000 ? 200 : 2000
      const end = start + dur
      w.point('http_reqs', end, 1, tags)
      w.point('http_req_duration', end, dur, tags)
      w.point('http_req_blocked', end, 0, tags)
      w.point('http_req_failed', end, 0, tags)
    }
    await w.close(true)
    const { summary: s, buckets } = await analyzeFile(path, { tauS: 2 })
    expect(s.endpoint).toBe('fs')
    expect(s.degradationMs).toBe(1000)
    expect(s.degradation).not.toBeNull()
    // the first slow request ends at 32 s (30 s start + 2 s); the EWMA (tau 2 s) passes 1000 ms
    // when the slow share exceeds 0.444, i.e. ~1.2 s later
    expect(s.degradation!.tS).toBeGreaterThan(32)
    expect(s.degradation!.tS).toBeLessThan(34)
    expect(s.degradation!.startRate).toBe(20)
    expect(s.requests).toBe(1200)
    // 600 at 200 ms, 600 at 2000 ms: rank 0.5 * 1199 = 599.5 -> halfway (k6's estimator)
    expect(s.medianMs).toBe(1100)
    // windowed percentiles (HDR, 3 significant digits)
    expect(buckets[20].p50).toBeCloseTo(200, 0)
    expect(buckets[50].p99).toBeCloseTo(2000, -1)
  })
  it('averages trials with spread', () => {
    const a = aggregateTrials([
      { medianMs: 10, requests: 100 } as never,
      { medianMs: 20, requests: 100 } as never,
      { medianMs: 30, requests: 100 } as never,
    ])
    expect(a.medianMs).toEqual({ mean: 20, sd: 10, min: 10, max: 30, n: 3 })
  })
})
