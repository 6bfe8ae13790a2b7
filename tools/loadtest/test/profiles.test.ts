import { describe, expect, it } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  builtin,
  loadScenario,
  parseDuration,
  scaleScenario,
  scenarioDuration,
  type Scenario,
} from '../src/profiles.ts'
import {
  areaAt,
  rateAt,
  segments,
  startTime,
  startTimes,
  totalIterations,
} from '../src/schedule.ts'

const sc = (startRate: number, stages: [string, number][]): Scenario => ({
  executor: 'ramping-arrival-rate',
  startRate,
  timeUnit: '1s',
  preAllocatedVUs: 1,
  maxVUs: 1,
  gracefulStop: '30s',
  stages: stages.map(([duration, target]) => ({ duration, target })),
})

describe('k6 ramping-arrival-rate schedule', () => {
  it('constant rate: iteration i at i/rate (the first at 1/rate)', () => {
    const t = [...startTimes(sc(4, [['2s', 4]]))]
    expect(t).toHaveLength(8)
    t.forEach((x, i) => expect(x).toBeCloseTo((i + 1) / 4, 12))
  })
  it('ramp 0 -> 10 over 10 s: area D(a+b)/2 = 50; iteration i at sqrt(2i) s', () => {
    const s = sc(0, [['10s', 10]])
    const t = [...startTimes(s)]
    expect(t).toHaveLength(50)
    t.forEach((x, i) => expect(x).toBeCloseTo(Math.sqrt(2 * (i + 1)), 10))
  })
  it('ramp down 10 -> 0 over 10 s and a timeUnit of 1m', () => {
    const t = [...startTimes(sc(10, [['10s', 0]]))]
    expect(t).toHaveLength(50)
    // area(t) = 10 t - t^2/2 = i  ->  t = 10 - sqrt(100 - 2i)
    t.forEach((x, i) => expect(x).toBeCloseTo(10 - Math.sqrt(100 - 2 * (i + 1)), 9))
    const m = { ...sc(60, [['1m', 60]]), timeUnit: '1m' }
    const tm = [...startTimes(m)]
    expect(tm).toHaveLength(60)
    expect(tm[0]).toBeCloseTo(1, 12)
  })
  it('multi-stage: every start solves area(t) = i exactly', () => {
    const s = sc(3, [
      ['5s', 3],
      ['3s', 20],
      ['4s', 20],
      ['2s', 1],
    ])
    const segs = segments(s)
    const n = totalIterations(segs)
    expect(n).toBe(Math.floor(15 + (3 * 23) / 2 + 80 + 21))
    let i = 0
    for (const t of startTimes(s)) {
      i++
      expect(areaAt(segs, t)).toBeCloseTo(i, 8)
      expect(startTime(segs, i)).toBeCloseTo(t, 12)
    }
    expect(i).toBe(n)
    expect(rateAt(segs, 6.5)).toBeCloseTo(3 + (17 * 1.5) / 3, 12)
  })
})

describe('profiles', () => {
  it('the built-ins have the stated shapes', () => {
    const b = builtin()
    for (const name of ['average', 'stress']) {
      for (const [ep, rate] of [
        ['uor', name === 'average' ? 15 : 30],
        ['fs', name === 'average' ? 1 : 2],
      ] as const) {
        const s = b.profiles[name][ep]
        expect(scenarioDuration(s)).toBe(600) // ramps inside the 10 minutes
        expect(parseDuration(s.stages[0].duration)).toBe(30) // 5% of 10 min
        expect(s.stages.map((x) => x.target)).toEqual([rate, rate, 0])
        expect(s.gracefulStop).toBe('30s')
      }
    }
    expect(b.profiles.spike.uor.stages.map((x) => [parseDuration(x.duration), x.target])).toEqual([
      [60, 15],
      [30, 80],
      [60, 80],
      [30, 15],
      [60, 15],
    ])
    expect(b.profiles.spike.fs.stages.map((x) => x.target)).toEqual([1, 8, 8, 1, 1])
    expect(b.profiles.breakpoint.uor.stages).toEqual([{ duration: '10m', target: 200 }])
    expect(b.profiles.breakpoint.fs.stages).toEqual([{ duration: '10m', target: 32 }])
    expect(b.profiles.breakpoint.fs.thresholds).toEqual({
      vus: [{ threshold: 'value<=100', abortOnFail: true }],
    })
    expect(b.baseOptions).toMatchObject({
      insecureSkipTLSVerify: true,
      noConnectionReuse: true,
      discardResponseBodies: true,
      maxRedirects: 0,
    })
  })
  it('--rate-scale and --time-scale', () => {
    const { scenario } = loadScenario('spike', 'uor')
    const s = scaleScenario(scenario, { rateScale: 2, timeScale: 0.1 })
    expect(s.startRate).toBe(30)
    expect(s.stages.map((x) => [parseDuration(x.duration), x.target])).toEqual([
      [6, 30],
      [3, 160],
      [6, 160],
      [3, 30],
      [6, 30],
    ])
    expect(s.gracefulStop).toBe('30s')
    expect(() => scaleScenario(scenario, { rateScale: 0 })).toThrow(/rate-scale/)
    expect(() => scaleScenario(scenario, { timeScale: Number.NaN })).toThrow(/time-scale/)
  })
  it('custom profiles from a file; bad ones are one-line 104 errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rere-prof-'))
    const one = join(dir, 'mine.json')
    writeFileSync(
      one,
      JSON.stringify({
        startRate: 1,
        stages: [{ duration: '5s', target: 5 }],
        preAllocatedVUs: 2,
        maxVUs: 4,
      }),
    )
    expect(loadScenario(one, 'fs').scenario.stages).toEqual([{ duration: '5s', target: 5 }])
    const both = join(dir, 'both.json')
    writeFileSync(
      both,
      JSON.stringify({
        uor: { stages: [{ duration: '1s', target: 1 }] },
        fs: { stages: [{ duration: '2s', target: 1 }] },
      }),
    )
    expect(loadScenario(both, 'fs').scenario.stages[0].duration).toBe('2s')
    expect(() => loadScenario('nope', 'uor')).toThrow(
      expect.objectContaining({ code: 'LOADTEST_UNKNOWN_PROFILE', exitCode: 104 }),
    )
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ stages: [{ duration: '5 parsecs', target: 5 }] }))
    expect(() => loadScenario(bad, 'uor')).toThrow(/stages\[0\]\.duration/)
    writeFileSync(bad, JSON.stringify({ stages: [{ duration: '5s', target: -1 }] }))
    expect(() => loadScenario(bad, 'uor')).toThrow(/target/)
    writeFileSync(bad, '{')
    expect(() => loadScenario(bad, 'uor')).toThrow(/not JSON/)
  })
  it('parses k6 durations', () => {
    expect(parseDuration('1m30s')).toBe(90)
    expect(parseDuration('250ms')).toBe(0.25)
    expect(parseDuration('2h')).toBe(7200)
    expect(parseDuration(12)).toBe(12)
    expect(() => parseDuration('10 s')).toThrow()
    expect(() => parseDuration('')).toThrow()
  })
})
