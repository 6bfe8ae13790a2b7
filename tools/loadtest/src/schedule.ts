/**
 * k6's ramping-arrival-rate schedule. The rate r(t) is piecewise linear: it starts at
 * `startRate` and each stage moves it linearly to `target` over `duration` (per `timeUnit`).
 * Iteration i (1, 2, 3, ...) starts at the time t where the area under r reaches i:
 *   integral_0^t r(u) du = i,
 * so at a constant rate r the first starts at 1/r, and a ramp from a to b over D holds
 * D(a+b)/2 iterations. Within a stage starting at T0 with C0 iterations before it, the start of
 * iteration i solves C0 + a x + (b-a) x^2 / (2D) = i; we use the cancellation-free root
 *   x = 2 (i - C0) / (a + sqrt(a^2 + 2 (b-a)(i-C0)/D)).
 * (This is the formula of k6's lib/executor/ramping_arrival_rate.go `cal`, whole segment.)
 */
import { parseDuration, type Scenario } from './profiles.ts'

export interface Segment {
  /** start [s] */
  t0: number
  /** duration [s] */
  d: number
  /** rate at start and end [iterations/s] */
  a: number
  b: number
  /** iterations started before this segment (area before it) */
  c0: number
}

export function segments(s: Scenario): Segment[] {
  const tu = parseDuration(s.timeUnit)
  let rate = s.startRate / tu
  let t = 0
  let c = 0
  const out: Segment[] = []
  for (const st of s.stages) {
    const d = parseDuration(st.duration)
    const b = st.target / tu
    out.push({ t0: t, d, a: rate, b, c0: c })
    c += (d * (rate + b)) / 2
    t += d
    rate = b
  }
  return out
}

/** The target rate at time t [iterations/s]. */
export function rateAt(segs: Segment[], t: number): number {
  for (const g of segs) {
    if (t <= g.t0 + g.d) {
      if (g.d === 0) return g.b
      return g.a + ((g.b - g.a) * Math.max(0, t - g.t0)) / g.d
    }
  }
  return 0
}

/** The area under the rate from 0 to t (expected iterations started by t). */
export function areaAt(segs: Segment[], t: number): number {
  let c = 0
  for (const g of segs) {
    if (t >= g.t0 + g.d) {
      c = g.c0 + (g.d * (g.a + g.b)) / 2
      continue
    }
    const x = Math.max(0, t - g.t0)
    return g.c0 + g.a * x + (g.d > 0 ? ((g.b - g.a) * x * x) / (2 * g.d) : 0)
  }
  return c
}

/** Total iterations of the schedule: floor of the whole area (with a 1e-9 tolerance). */
export function totalIterations(segs: Segment[]): number {
  const last = segs[segs.length - 1]
  const area = last ? last.c0 + (last.d * (last.a + last.b)) / 2 : 0
  return Math.floor(area + 1e-9)
}

/** Start time [s] of iteration i (1-based), or undefined when beyond the schedule. */
export function startTime(segs: Segment[], i: number): number | undefined {
  for (const g of segs) {
    const area = (g.d * (g.a + g.b)) / 2
    if (i > g.c0 + area + 1e-9) continue
    return timeInSegment(g, i)
  }
  return undefined
}

function timeInSegment(g: Segment, i: number): number {
  const k = i - g.c0
  if (g.d === 0) return g.t0
  const slope = (g.b - g.a) / g.d
  const disc = g.a * g.a + 2 * slope * k
  const x = (2 * k) / (g.a + Math.sqrt(Math.max(0, disc)))
  return g.t0 + Math.min(Math.max(x, 0), g.d)
}

/** All start times, in order (a generator, so a long schedule needs no memory). */
export function* startTimes(s: Scenario): Generator<number> {
  const segs = segments(s)
  const n = totalIterations(segs)
  let gi = 0
  for (let i = 1; i <= n; i++) {
    while (gi < segs.length) {
      const g = segs[gi]
      if (i <= g.c0 + (g.d * (g.a + g.b)) / 2 + 1e-9) break
      gi++
    }
    if (gi >= segs.length) return
    yield timeInSegment(segs[gi], i)
  }
}
