/**
 * The analyzer: per trial, the seed's summary statistics and per-second time series; over
 * trials, the mean of each statistic with its spread.
 *
 * A request is rebuilt from the samples k6 writes at its end time (same time and tags):
 * `http_req_duration`, `http_req_blocked`, `http_req_failed` (or, before k6 0.31, the status).
 * Its start is end - blocked - duration (the seed's definition). Rates are per 1 s bucket
 * counted from the first sample of the trial. Percentiles of a whole trial use k6's estimator
 * (exact, ./stats.ts); windowed percentiles use HDR histograms (3 significant digits) over a
 * sliding window of `windowS` seconds, stepped by 1 s. The smoothed response time is a
 * time-decay EWMA with time constant `tauS` (./stats.ts); the degradation threshold is the
 * first time it exceeds `degradationMs`.
 */
import * as hdr from 'hdr-histogram-js'
import { readSamples } from './reader.ts'
import { Ewma, mean, percentile, stdev } from './stats.ts'

export interface AnalyzeOptions {
  /** EWMA time constant [s] (default 10) */
  tauS?: number
  /** sliding window of the moving percentiles [s] (default 10) */
  windowS?: number
  /** degradation threshold on the EWMA [ms]; default from the endpoint (100 UOR, 1000 FS) */
  degradationMs?: number
  /** cluster metrics to join (./prometheus.ts) */
  cluster?: ClusterSeries
}

export interface ClusterSeries {
  /** series name -> [epoch ms, value][] (e.g. "cpu:api", "replicas:solver", "cpuShare") */
  series: Record<string, [number, number][]>
}

export interface Bucket {
  /** seconds since the trial start (bucket [t, t+1)) */
  t: number
  started: number
  completed: number
  failed: number
  errorRate: number
  dropped: number
  /** max of the `vus` samples in this second */
  vus: number
  ewmaMs: number
  p50: number
  p90: number
  p95: number
  p99: number
  /** cluster values joined at the bucket time (last value at or before it) */
  cluster?: Record<string, number>
}

export interface TrialSummary {
  file: string
  endpoint?: string
  requests: number
  durationS: number
  meanCompletionRate: number
  maxCompletionRate: number
  maxStartRate: number
  medianMs: number
  avgMs: number
  minMs: number
  maxMs: number
  p90Ms: number
  p95Ms: number
  p99Ms: number
  errorRate: number
  timeouts: number
  dropped: number
  maxVus: number
  maxStartedToCompleted: number
  degradation: null | { tS: number; ewmaMs: number; startRate: number; completionRate: number }
  degradationMs: number
  maxClusterCpuShare?: number
}

export interface TrialAnalysis {
  summary: TrialSummary
  buckets: Bucket[]
  startMs: number
}

interface Req {
  end: number
  dur: number
  blocked: number
  failed: number
  status: string
  timeout: boolean
}

export function endpointOfUrl(url: string | undefined): 'uor' | 'fs' | undefined {
  if (!url) return undefined
  if (url.includes('/api/solve/idaes/')) return 'fs'
  if (url.includes('/api/unitops/unitops/')) return 'uor'
  return undefined
}

/** Analyse one results file (one trial). */
export async function analyzeFile(file: string, o: AnalyzeOptions = {}): Promise<TrialAnalysis> {
  const reqs: Req[] = []
  const pending = new Map<string, Partial<Req> & { have: number }>()
  const vus: [number, number][] = []
  const drops: number[] = []
  let firstAny = Infinity
  let url: string | undefined
  const flush = (k: string) => {
    const p = pending.get(k)
    pending.delete(k)
    if (!p || p.dur === undefined) return
    const status = p.status ?? ''
    const failed = p.failed ?? (status === '' || status === '0' || Number(status) >= 400 ? 1 : 0)
    reqs.push({
      end: p.end as number,
      dur: p.dur,
      blocked: p.blocked ?? 0,
      failed,
      status,
      timeout: !!p.timeout,
    })
  }
  for await (const s of readSamples(file)) {
    // k6 runs setup() and teardown() (the fixture calls) in groups ::setup / ::teardown
    const g = s.tags.group
    if (g && (g.startsWith('::setup') || g.startsWith('::teardown'))) continue
    if (s.timeMs < firstAny && s.metric !== 'vus' && s.metric !== 'vus_max') firstAny = s.timeMs
    switch (s.metric) {
      case 'http_req_duration':
      case 'http_req_blocked':
      case 'http_req_failed':
      case 'http_reqs': {
        const k = `${s.timeMs}|${s.tags.url ?? s.tags.name ?? ''}|${s.tags.status ?? ''}|${s.tags.method ?? ''}`
        let p = pending.get(k)
        if (!p) {
          p = {
            have: 0,
            end: s.timeMs,
            status: s.tags.status,
            timeout: s.tags.error_code === '1050',
          }
          pending.set(k, p)
          url ??= s.tags.url ?? s.tags.name
        }
        if (s.metric === 'http_req_duration') {
          if (p.dur !== undefined) {
            // a second request with the same end time and tags: close the first
            flush(k)
            p = {
              have: 0,
              end: s.timeMs,
              status: s.tags.status,
              timeout: s.tags.error_code === '1050',
            }
            pending.set(k, p)
          }
          p.dur = s.value
        } else if (s.metric === 'http_req_blocked') p.blocked = s.value
        else if (s.metric === 'http_req_failed') p.failed = s.value
        if (pending.size > 50_000) {
          const first = pending.keys().next().value
          if (first !== undefined) flush(first)
        }
        break
      }
      case 'vus':
        vus.push([s.timeMs, s.value])
        break
      case 'dropped_iterations':
        drops.push(s.timeMs)
        break
    }
  }
  for (const k of [...pending.keys()]) flush(k)
  return analyzeRequests(file, reqs, vus, drops, firstAny, endpointOfUrl(url), o)
}

function hist() {
  return hdr.build({
    numberOfSignificantValueDigits: 3,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    autoResize: true,
  })
}

export function analyzeRequests(
  file: string,
  reqs: Req[],
  vus: [number, number][],
  drops: number[],
  firstAny: number,
  endpoint: 'uor' | 'fs' | undefined,
  o: AnalyzeOptions,
): TrialAnalysis {
  const tauS = o.tauS ?? 10
  const windowS = o.windowS ?? 10
  const degradationMs = o.degradationMs ?? (endpoint === 'fs' ? 1000 : 100)
  reqs.sort((a, b) => a.end - b.end)
  let t0 = firstAny
  for (const r of reqs) t0 = Math.min(t0, r.end - r.blocked - r.dur)
  if (vus.length) t0 = Math.min(t0, vus[0][0])
  if (!Number.isFinite(t0)) t0 = vus.length ? vus[0][0] : 0
  let tEnd = t0
  for (const r of reqs) tEnd = Math.max(tEnd, r.end)
  for (const [t] of vus) tEnd = Math.max(tEnd, t)
  const nb = Math.max(1, Math.ceil((tEnd - t0) / 1000 + 1e-9))
  const idx = (t: number) => Math.min(nb - 1, Math.max(0, Math.floor((t - t0) / 1000)))
  const buckets: Bucket[] = Array.from({ length: nb }, (_, t) => ({
    t,
    started: 0,
    completed: 0,
    failed: 0,
    errorRate: 0,
    dropped: 0,
    vus: 0,
    ewmaMs: NaN,
    p50: NaN,
    p90: NaN,
    p95: NaN,
    p99: NaN,
  }))
  const perSec: (ReturnType<typeof hist> | undefined)[] = new Array(nb)
  const ew = new Ewma(tauS)
  let degradation: TrialSummary['degradation'] = null
  const durs = new Float64Array(reqs.length)
  let failed = 0
  let timeouts = 0
  let sum = 0
  reqs.forEach((r, i) => {
    durs[i] = r.dur
    sum += r.dur
    failed += r.failed
    if (r.timeout) timeouts++
    const b = idx(r.end)
    buckets[b].completed++
    buckets[b].failed += r.failed
    buckets[idx(r.end - r.blocked - r.dur)].started++
    const h = (perSec[b] ??= hist())
    h.recordValue(Math.max(1, Math.round(r.dur * 1000))) // µs
    const e = ew.add((r.end - t0) / 1000, r.dur)
    buckets[b].ewmaMs = e
    if (!degradation && e > degradationMs)
      degradation = { tS: (r.end - t0) / 1000, ewmaMs: e, startRate: 0, completionRate: 0 }
  })
  for (const [t, v] of vus) {
    const b = buckets[idx(t)]
    b.vus = Math.max(b.vus, v)
  }
  for (const t of drops) buckets[idx(t)].dropped++
  // carry the EWMA over seconds without completions; windowed percentiles
  const win = hist()
  let last = NaN
  for (let i = 0; i < nb; i++) {
    const b = buckets[i]
    if (Number.isNaN(b.ewmaMs)) b.ewmaMs = last
    else last = b.ewmaMs
    b.errorRate = b.completed ? b.failed / b.completed : 0
    if (perSec[i]) win.add(perSec[i]!)
    const leaving = i - windowS
    if (leaving >= 0 && perSec[leaving]) win.subtract(perSec[leaving]!)
    if (win.totalCount > 0) {
      b.p50 = win.getValueAtPercentile(50) / 1000
      b.p90 = win.getValueAtPercentile(90) / 1000
      b.p95 = win.getValueAtPercentile(95) / 1000
      b.p99 = win.getValueAtPercentile(99) / 1000
    }
  }
  for (const h of perSec) h?.destroy()
  win.destroy()
  const deg = degradation as TrialSummary['degradation']
  if (deg) {
    const b = buckets[Math.min(nb - 1, Math.floor(deg.tS))]
    deg.startRate = b.started
    deg.completionRate = b.completed
  }
  if (o.cluster) joinCluster(buckets, t0, o.cluster)
  durs.sort()
  const durationS = Math.max(1e-9, (tEnd - t0) / 1000)
  let maxRatio = 0
  for (const b of buckets)
    if (b.completed > 0) maxRatio = Math.max(maxRatio, b.started / b.completed)
  const share = o.cluster?.series.cpuShare
  const summary: TrialSummary = {
    file,
    ...(endpoint ? { endpoint } : {}),
    requests: reqs.length,
    durationS,
    meanCompletionRate: reqs.length / durationS,
    maxCompletionRate: Math.max(0, ...buckets.map((b) => b.completed)),
    maxStartRate: Math.max(0, ...buckets.map((b) => b.started)),
    medianMs: percentile(durs, 50, true),
    avgMs: reqs.length ? sum / reqs.length : NaN,
    minMs: reqs.length ? durs[0] : NaN,
    maxMs: reqs.length ? durs[durs.length - 1] : NaN,
    p90Ms: percentile(durs, 90, true),
    p95Ms: percentile(durs, 95, true),
    p99Ms: percentile(durs, 99, true),
    errorRate: reqs.length ? failed / reqs.length : 0,
    timeouts,
    dropped: drops.length,
    maxVus: Math.max(0, ...vus.map((v) => v[1])),
    maxStartedToCompleted: maxRatio,
    degradation: deg,
    degradationMs,
    ...(share && share.length
      ? {
          maxClusterCpuShare: Math.max(
            ...share.filter(([t]) => t >= t0 && t <= tEnd).map(([, v]) => v),
            0,
          ),
        }
      : {}),
  }
  return { summary, buckets, startMs: t0 }
}

/** Join cluster metrics to an analysed trial (after the fact) and set maxClusterCpuShare. */
export function attachCluster(t: TrialAnalysis, c: ClusterSeries): void {
  joinCluster(t.buckets, t.startMs, c)
  const end = t.startMs + t.summary.durationS * 1000
  const share = (c.series.cpuShare ?? []).filter(
    ([x]) => x >= t.startMs - 60_000 && x <= end + 60_000,
  )
  if (share.length) t.summary.maxClusterCpuShare = Math.max(...share.map(([, v]) => v))
}

function joinCluster(buckets: Bucket[], t0: number, c: ClusterSeries): void {
  for (const [name, pts] of Object.entries(c.series)) {
    const sorted = [...pts].sort((a, b) => a[0] - b[0])
    let j = -1
    for (const b of buckets) {
      const t = t0 + b.t * 1000 + 1000
      while (j + 1 < sorted.length && sorted[j + 1][0] <= t) j++
      if (j >= 0) (b.cluster ??= {})[name] = sorted[j][1]
    }
  }
}

export interface Spread {
  mean: number
  sd: number
  min: number
  max: number
  n: number
}

/** Mean and spread over trials of every numeric summary statistic. */
export function aggregateTrials(trials: TrialSummary[]): Record<string, Spread> {
  const keys: Record<string, (s: TrialSummary) => number | undefined> = {
    requests: (s) => s.requests,
    meanCompletionRate: (s) => s.meanCompletionRate,
    maxCompletionRate: (s) => s.maxCompletionRate,
    maxStartRate: (s) => s.maxStartRate,
    medianMs: (s) => s.medianMs,
    p95Ms: (s) => s.p95Ms,
    p99Ms: (s) => s.p99Ms,
    errorRate: (s) => s.errorRate,
    dropped: (s) => s.dropped,
    maxVus: (s) => s.maxVus,
    maxStartedToCompleted: (s) => s.maxStartedToCompleted,
    degradationTimeS: (s) => s.degradation?.tS,
    degradationStartRate: (s) => s.degradation?.startRate,
    degradationCompletionRate: (s) => s.degradation?.completionRate,
    maxClusterCpuShare: (s) => s.maxClusterCpuShare,
  }
  const out: Record<string, Spread> = {}
  for (const [k, f] of Object.entries(keys)) {
    const v = trials.map(f).filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
    if (v.length === 0) continue
    out[k] = { mean: mean(v), sd: stdev(v), min: Math.min(...v), max: Math.max(...v), n: v.length }
  }
  return out
}
