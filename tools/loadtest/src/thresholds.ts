/**
 * k6 threshold expressions: `<aggregation> <op> <number>`, e.g. `value<=100`, `p(95)<500`,
 * `rate<0.01`, `avg<200`, `count>10`, `max<1000`, `med<50`. Aggregations per metric type (as
 * in k6): counter count|rate, gauge value, rate rate, trend avg|min|max|med|p(N).
 */
import { configError } from './errors.ts'
import type { ThresholdSpec } from './profiles.ts'
import { percentile } from './stats.ts'

export interface Threshold {
  metric: string
  source: string
  agg: string
  p?: number
  op: '<' | '<=' | '>' | '>=' | '==' | '===' | '!='
  value: number
  abortOnFail: boolean
}

const RE =
  /^\s*(value|count|rate|avg|min|max|med|p\((\d+(?:\.\d+)?)\))\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/

export function parseThresholds(
  spec: Record<string, (string | ThresholdSpec)[]> | undefined,
): Threshold[] {
  const out: Threshold[] = []
  for (const [metric, list] of Object.entries(spec ?? {})) {
    if (!Array.isArray(list))
      throw configError('LOADTEST_BAD_THRESHOLD', `thresholds.${metric}: expected an array`, {
        field: `thresholds.${metric}`,
      })
    for (const t of list) {
      const source = typeof t === 'string' ? t : t?.threshold
      const m = typeof source === 'string' ? RE.exec(source) : null
      if (!m)
        throw configError(
          'LOADTEST_BAD_THRESHOLD',
          `thresholds.${metric}: cannot parse "${String(source)}"`,
          { field: `thresholds.${metric}` },
        )
      out.push({
        metric,
        source: source as string,
        agg: m[2] ? 'p' : m[1],
        ...(m[2] ? { p: Number(m[2]) } : {}),
        op: m[3] as Threshold['op'],
        value: Number(m[4]),
        abortOnFail: typeof t === 'object' && !!t.abortOnFail,
      })
    }
  }
  return out
}

/** Running aggregates of one metric, enough to evaluate any threshold on it. */
export class MetricAgg {
  count = 0
  sum = 0
  min = Infinity
  max = -Infinity
  last = NaN
  nonZero = 0
  values: number[] | null
  constructor(readonly type: 'counter' | 'gauge' | 'rate' | 'trend') {
    this.values = type === 'trend' ? [] : null
  }
  add(v: number): void {
    this.count++
    this.sum += v
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
    this.last = v
    if (v !== 0) this.nonZero++
    this.values?.push(v)
  }
}

export function aggregate(t: Threshold, a: MetricAgg, elapsedS: number): number {
  switch (t.agg) {
    case 'value':
      return a.last
    case 'count':
      return a.type === 'counter' ? a.sum : a.count
    case 'rate':
      // a counter's rate is per second; a Rate metric's is the share of non-zero samples
      if (a.type === 'counter') return a.sum / Math.max(elapsedS, 1e-9)
      return a.count ? a.nonZero / a.count : NaN
    case 'avg':
      return a.count ? a.sum / a.count : NaN
    case 'min':
      return a.min
    case 'max':
      return a.max
    case 'med':
      return percentile(a.values ?? [], 50)
    case 'p':
      return percentile(a.values ?? [], t.p ?? 50)
  }
  return NaN
}

/** true when the threshold holds (k6: a threshold with no data passes). */
export function holds(t: Threshold, v: number): boolean {
  if (Number.isNaN(v)) return true
  switch (t.op) {
    case '<':
      return v < t.value
    case '<=':
      return v <= t.value
    case '>':
      return v > t.value
    case '>=':
      return v >= t.value
    case '==':
    case '===':
      return v === t.value
    case '!=':
      return v !== t.value
  }
}
