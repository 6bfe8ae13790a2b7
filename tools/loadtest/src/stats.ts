/**
 * Statistics shared by the runner and the analyzer.
 * `percentile` is k6's estimator (lib/metrics TrendSink.P): on the sorted samples x[0..n-1],
 * rank r = p/100 (n-1), result x[floor r] + (r - floor r)(x[floor r + 1] - x[floor r]).
 */
export function percentile(values: number[] | Float64Array, p: number, sorted = false): number {
  const n = values.length
  if (n === 0) return NaN
  const x = sorted ? values : Float64Array.from(values).sort()
  if (n === 1) return x[0]
  const r = (p / 100) * (n - 1)
  const lo = Math.floor(r)
  if (lo >= n - 1) return x[n - 1]
  return x[lo] + (r - lo) * (x[lo + 1] - x[lo])
}

export function mean(v: number[]): number {
  if (v.length === 0) return NaN
  let s = 0
  for (const x of v) s += x
  return s / v.length
}

/** Sample standard deviation (n-1); 0 for a single value. */
export function stdev(v: number[]): number {
  const n = v.length
  if (n < 2) return 0
  const m = mean(v)
  let s = 0
  for (const x of v) s += (x - m) ** 2
  return Math.sqrt(s / (n - 1))
}

/**
 * Time-decay EWMA for irregularly spaced samples: a decayed sum S and weight W, both multiplied
 * by exp(-dt/tau) as time passes, each sample adding x to S and 1 to W; the average is S/W. The
 * time constant tau [s] means the same whatever the request rate, and samples that share a
 * timestamp all count (a plain alpha-EWMA would weigh them by arrival order).
 */
export class Ewma {
  private s = 0
  private w = 0
  private lastT = NaN
  constructor(readonly tauS: number) {}
  get value(): number {
    return this.w > 0 ? this.s / this.w : NaN
  }
  add(tS: number, x: number): number {
    if (!Number.isNaN(this.lastT) && tS > this.lastT) {
      const keep = Math.exp(-(tS - this.lastT) / this.tauS)
      this.s *= keep
      this.w *= keep
    }
    if (Number.isNaN(this.lastT) || tS > this.lastT) this.lastT = tS
    this.s += x
    this.w += 1
    return this.value
  }
}
