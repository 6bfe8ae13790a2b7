/**
 * The open-model load generator: k6's ramping-arrival-rate executor for one HTTP request per
 * iteration.
 *
 * - Iteration i starts at the time the area under the rate curve reaches i (./schedule.ts).
 * - No queue: an iteration that finds no idle virtual user (VU) is dropped and counted
 *   (`dropped_iterations`); if fewer than maxVUs exist, one extra VU is then created (one at a
 *   time, as k6 does), available for later iterations.
 * - The busy-VU count is sampled every second (`vus`), the allocated count as `vus_max`.
 * - Thresholds are evaluated every 2 s; an `abortOnFail` threshold stops the run at once.
 * - When the stages end no new iteration starts; running ones get `gracefulStop` to finish and
 *   are then interrupted (no samples, as in k6).
 * - Every request records k6's timings (blocked, connecting, tls, sending, waiting, receiving,
 *   duration = sending + waiting + receiving) at its end time.
 */
import http from 'node:http'
import https from 'node:https'
import os from 'node:os'
import v8 from 'node:v8'
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import net, { type Socket } from 'node:net'
import { NdjsonWriter } from './output.ts'
import { parseDuration, scenarioDuration, type BaseOptions, type Scenario } from './profiles.ts'
import { rateAt, segments, startTimes } from './schedule.ts'
import { aggregate, holds, MetricAgg, parseThresholds, type Threshold } from './thresholds.ts'
import { METRICS } from './output.ts'
import { percentile } from './stats.ts'

export interface RequestSpec {
  method: string
  /** absolute URL */
  url: string
  body?: string
  headers?: Record<string, string>
}

export interface RunOptions {
  scenario: Scenario
  request: RequestSpec
  base: BaseOptions
  /** NDJSON results path (written as <path>.partial until complete) */
  out?: string
  /** live progress: a TTY stream (one rewritten line per second), or false */
  progress?: NodeJS.WriteStream | false
  signal?: AbortSignal
  /** called for every generator-saturation warning (first occurrence of each kind) */
  onWarning?: (w: Warning) => void
  /** 'raw' (default for plain HTTP without connection reuse) or 'node' (http.request) */
  transport?: 'raw' | 'node'
  /** label for the `scenario` tag (default "default") */
  scenarioTag?: string
}

export interface Warning {
  kind: 'cpu' | 'memory' | 'event-loop-lag' | 'start-lag' | 'dropped' | 'vus-near-max'
  atS: number
  message: string
}

export interface RunResult {
  /** iterations scheduled by the profile */
  scheduled: number
  started: number
  completed: number
  failed: number
  dropped: number
  interrupted: number
  aborted: null | 'threshold' | 'signal'
  thresholds: { metric: string; source: string; ok: boolean; value: number }[]
  thresholdsCrossed: boolean
  /** wall-clock start and end [epoch ms] */
  startMs: number
  endMs: number
  maxBusy: number
  maxAllocated: number
  /** start lag (actual minus scheduled start) [ms] */
  startLagMs: { p50: number; p99: number; max: number }
  /** first start to last start: achieved start rate [1/s] */
  achievedStartRate: number
  warnings: Warning[]
  /** counts of every warning kind (incl. repeats) */
  warningCounts: Record<string, number>
  outPath?: string
  cpu: { userMs: number; systemMs: number }
  maxRssBytes: number
}

interface Timing {
  t0: number
  sock: number
  conn: number
  tls: number
  sent: number
  resp: number
}

const TIMEOUT_CODE = '1050' // k6's error_code for a request timeout
const CONN_CODE = '1211' // k6: dial/connection error (approximation for any socket error)

export async function run(o: RunOptions): Promise<RunResult> {
  const sc = o.scenario
  const segs = segments(sc)
  const totalS = scenarioDuration(sc)
  const graceS = parseDuration(sc.gracefulStop)
  const timeoutMs = parseDuration(o.base.httpTimeout) * 1000
  const url = new URL(o.request.url)
  const isHttps = url.protocol === 'https:'
  const lib = isHttps ? https : http
  const agent: http.Agent | false = o.base.noConnectionReuse
    ? false
    : new (isHttps ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: Infinity })
  const headers: Record<string, string> = {
    'User-Agent': 'rere-loadtest/0.1',
    ...(o.request.headers ?? {}),
  }
  if (o.base.noConnectionReuse) headers.Connection = 'close'
  const body = o.request.body
  if (body !== undefined) {
    headers['Content-Type'] ??= 'application/json'
    headers['Content-Length'] = String(Buffer.byteLength(body))
  }
  const thresholds = parseThresholds(sc.thresholds)
  const thresholdNames: Record<string, string[]> = {}
  for (const t of thresholds) (thresholdNames[t.metric] ??= []).push(t.source)
  const writer = o.out ? new NdjsonWriter(o.out, thresholdNames) : undefined
  const aggs = new Map<string, MetricAgg>()
  for (const t of thresholds)
    if (!aggs.has(t.metric)) aggs.set(t.metric, new MetricAgg(METRICS[t.metric]?.type ?? 'trend'))

  const scenarioTag = o.scenarioTag ?? 'default'
  const tagCache = new Map<string, string>()
  const reqTags = (status: number, expected: boolean, errorCode?: string): string => {
    const key = `${status}|${expected}|${errorCode ?? ''}`
    let t = tagCache.get(key)
    if (!t) {
      const tags: Record<string, string> = {
        expected_response: String(expected),
        group: '',
        method: o.request.method,
        name: o.request.url,
        proto: 'HTTP/1.1',
        scenario: scenarioTag,
        status: String(status),
        url: o.request.url,
      }
      if (errorCode) tags.error_code = errorCode
      t = JSON.stringify(tags)
      tagCache.set(key, t)
    }
    return t
  }
  const iterTags = JSON.stringify({ group: '', scenario: scenarioTag })
  const plainTags = JSON.stringify({})

  // wall clock: epoch ms = origin + performance.now()
  const origin = performance.timeOrigin
  const wall = (perf: number) => origin + perf

  const emit = (metric: string, perf: number, value: number, tags: string) => {
    writer?.point(metric, wall(perf), value, tags)
    const a = aggs.get(metric)
    if (a) a.add(value)
  }

  // VU pool
  let allocated = sc.preAllocatedVUs
  let idle = allocated
  let busy = 0
  let creating = false
  let maxBusy = 0
  let maxAllocated = allocated

  // counters
  let started = 0
  let completed = 0
  let failed = 0
  let dropped = 0
  let interrupted = 0
  const inflight = new Set<{ destroy: (e: Error) => void }>()
  const lags: number[] = []
  let firstStart = NaN
  let lastStart = NaN

  // live window for progress (last 10 s of durations)
  let secDurations: number[] = []
  const lastSecs: number[][] = []
  let secCompleted = 0
  let secStarted = 0

  let aborted: RunResult['aborted'] = null
  let stopping = false
  let scheduleDone = false
  const t0 = performance.now()
  const startMs = wall(t0)
  const cpu0 = process.cpuUsage()
  let maxRss = process.memoryUsage().rss

  const finishIteration = () => {
    busy--
    idle++
  }

  const startIteration = (schedS: number) => {
    const now = performance.now()
    if (idle === 0) {
      dropped++
      emit('dropped_iterations', now, 1, iterTags)
      if (allocated < sc.maxVUs && !creating) {
        creating = true
        setImmediate(() => {
          creating = false
          if (allocated < sc.maxVUs) {
            allocated++
            idle++
            if (allocated > maxAllocated) maxAllocated = allocated
          }
        })
      }
      return
    }
    idle--
    busy++
    if (busy > maxBusy) maxBusy = busy
    started++
    secStarted++
    const lag = now - t0 - schedS * 1000
    if (lags.length < 2_000_000) lags.push(lag)
    if (Number.isNaN(firstStart)) firstStart = now
    lastStart = now
    doRequest(now)
  }

  /** Record a finished request (k6's timings, all at its end time). */
  const complete = (tm: Timing, status: number, errorCode?: string) => {
    const tEnd = performance.now()
    if (stopping && errorCode === 'interrupted') {
      interrupted++
      finishIteration()
      return
    }
    const sock = Number.isNaN(tm.sock) ? tEnd : tm.sock
    const conn = Number.isNaN(tm.conn) ? sock : tm.conn
    const tls = Number.isNaN(tm.tls) ? conn : tm.tls
    const sent = Number.isNaN(tm.sent) ? tls : tm.sent
    const resp = Number.isNaN(tm.resp) ? (status ? tEnd : sent) : tm.resp
    const sending = sent - tls
    const waiting = resp - sent
    const receiving = tEnd - resp
    const duration = sending + waiting + receiving
    const expected = status >= o.base.expectedStatuses.min && status <= o.base.expectedStatuses.max
    const tags = reqTags(status, expected, errorCode)
    emit('http_reqs', tEnd, 1, tags)
    emit('http_req_duration', tEnd, duration, tags)
    emit('http_req_blocked', tEnd, sock - tm.t0, tags)
    emit('http_req_connecting', tEnd, conn - sock, tags)
    emit('http_req_tls_handshaking', tEnd, tls - conn, tags)
    emit('http_req_sending', tEnd, sending, tags)
    emit('http_req_waiting', tEnd, waiting, tags)
    emit('http_req_receiving', tEnd, receiving, tags)
    emit('http_req_failed', tEnd, expected ? 0 : 1, tags)
    emit('iteration_duration', tEnd, tEnd - tm.t0, iterTags)
    emit('iterations', tEnd, 1, iterTags)
    completed++
    secCompleted++
    if (!expected) failed++
    secDurations.push(duration)
    finishIteration()
    maybeFinish()
  }

  const errorCodeOf = (e: Error) =>
    e.message === 'interrupted' ? 'interrupted' : e.message === 'timeout' ? TIMEOUT_CODE : CONN_CODE

  /** Node's http/https client (TLS, or connection reuse when noConnectionReuse is off). */
  const nodeRequest = (tStart: number) => {
    const tm: Timing = { t0: tStart, sock: NaN, conn: NaN, tls: NaN, sent: NaN, resp: NaN }
    let done = false
    const req = lib.request(url, {
      method: o.request.method,
      headers,
      agent,
      ...(isHttps ? { rejectUnauthorized: !o.base.insecureSkipTLSVerify } : {}),
    })
    inflight.add(req)
    const end = (status: number, errorCode?: string) => {
      if (done) return
      done = true
      clearTimeout(timer)
      inflight.delete(req)
      complete(tm, status, errorCode)
    }
    req.on('socket', (s: Socket) => {
      tm.sock = performance.now()
      if ((s as Socket & { connecting?: boolean }).connecting === false) tm.conn = tm.sock
      s.once('connect', () => (tm.conn = performance.now()))
      if (isHttps) s.once('secureConnect', () => (tm.tls = performance.now()))
    })
    req.on('finish', () => (tm.sent = performance.now()))
    req.on('response', (res) => {
      tm.resp = performance.now()
      if (o.base.discardResponseBodies) res.resume()
      else res.on('data', () => {})
      res.on('end', () => end(res.statusCode ?? 0))
      res.on('error', () => end(0, CONN_CODE))
    })
    req.on('error', (e: Error) => end(0, errorCodeOf(e)))
    const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs)
    req.end(body)
  }

  /**
   * Plain HTTP/1.1 without connection reuse (the seed's setting): one socket per request, the
   * request written as bytes, the status read from the first line and the rest discarded until
   * the server closes. Several times cheaper than http.request, so the generator holds higher
   * rates on small machines; the timings are the same points (socket, connect, written, first
   * byte, end).
   */
  const rawHead = (() => {
    const lines = [`${o.request.method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`]
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
    return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + (body ?? ''))
  })()
  const port = Number(url.port || 80)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const rawRequest = (tStart: number) => {
    const tm: Timing = { t0: tStart, sock: NaN, conn: NaN, tls: NaN, sent: NaN, resp: NaN }
    let done = false
    let status = 0
    let head = ''
    const sock = net.connect({ port, host })
    tm.sock = performance.now()
    const handle = { destroy: (e: Error) => sock.destroy(e) }
    inflight.add(handle)
    const end = (errorCode?: string) => {
      if (done) return
      done = true
      clearTimeout(timer)
      inflight.delete(handle)
      sock.destroy()
      complete(tm, errorCode ? 0 : status, errorCode)
    }
    sock.once('connect', () => {
      tm.conn = performance.now()
      sock.write(rawHead)
      tm.sent = performance.now()
    })
    // The response ends when the server closes (we sent Connection: close), or earlier when the
    // body is complete by Content-Length or by the last chunk of a chunked body (a server or
    // proxy that keeps the connection open anyway).
    let headEnd = -1
    let bodyLeft = 0
    let sized = false
    let chunked = false
    let tail = ''
    sock.on('data', (chunk: Buffer) => {
      if (Number.isNaN(tm.resp)) tm.resp = performance.now()
      if (headEnd < 0) {
        head += chunk.toString('latin1')
        if (status === 0) {
          const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head)
          if (m) status = Number(m[1])
        }
        headEnd = head.indexOf('\r\n\r\n')
        if (headEnd < 0) {
          if (head.length > 65536) sock.destroy(new Error('header too large'))
          return
        }
        const h = head.slice(0, headEnd).toLowerCase()
        const cl = /\r\ncontent-length:\s*(\d+)/.exec(h)
        chunked = /\r\ntransfer-encoding:[^\r]*chunked/.test(h)
        const got = head.length - headEnd - 4
        if (cl && !chunked) {
          sized = true
          bodyLeft = Number(cl[1]) - got
        } else if (status === 204 || status === 304) sized = true
        tail = head.slice(-5)
        head = ''
      } else if (sized) bodyLeft -= chunk.length
      else if (chunked)
        tail = (tail + chunk.toString('latin1', Math.max(0, chunk.length - 5))).slice(-5)
      if ((sized && bodyLeft <= 0) || (chunked && tail === '0\r\n\r\n')) end()
    })
    sock.once('end', () => end(status ? undefined : CONN_CODE))
    sock.once('error', (e: Error) => end(errorCodeOf(e)))
    sock.once('close', () => end(status ? undefined : CONN_CODE))
    const timer = setTimeout(() => sock.destroy(new Error('timeout')), timeoutMs)
  }

  const useRaw = !isHttps && o.base.noConnectionReuse && o.transport !== 'node'
  const doRequest = useRaw ? rawRequest : nodeRequest

  // ---- the schedule loop
  const times = startTimes(sc)
  let next = times.next()
  const scheduled = Math.floor(
    segs.length
      ? segs[segs.length - 1].c0 +
          (segs[segs.length - 1].d * (segs[segs.length - 1].a + segs[segs.length - 1].b)) / 2 +
          1e-9
      : 0,
  )

  let resolveDone!: () => void
  const donePromise = new Promise<void>((r) => (resolveDone = r))
  let graceTimer: NodeJS.Timeout | undefined
  let endTimer: NodeJS.Timeout | undefined

  const stopAll = () => {
    stopping = true
    for (const r of [...inflight]) r.destroy(new Error('interrupted'))
  }

  let finished = false
  const finish = () => {
    if (finished) return
    finished = true
    resolveDone()
  }
  const maybeFinish = () => {
    if (scheduleDone && busy === 0 && (stopping || performance.now() - t0 >= totalS * 1000))
      finish()
  }

  const onStagesEnd = () => {
    scheduleDone = true
    if (busy === 0) return finish()
    graceTimer = setTimeout(() => {
      stopAll()
      setImmediate(finish)
    }, graceS * 1000)
  }

  const tick = () => {
    if (stopping || scheduleDone) return
    const now = performance.now() - t0
    while (!next.done && next.value * 1000 <= now) {
      startIteration(next.value)
      next = times.next()
    }
    if (next.done) {
      // the stages may last beyond the last start: wait for their end
      const rest = totalS * 1000 - (performance.now() - t0)
      endTimer = setTimeout(onStagesEnd, Math.max(0, rest))
      return
    }
    // A timer (>= 1 ms in Node) unless the next start is under 0.25 ms away (then setImmediate,
    // so I/O still runs between checks): starts are at most ~1 ms late on an idle machine
    // without busy-waiting, which would read as generator CPU. An iteration a late timer missed
    // starts at once, so the count is always on time.
    const wait = next.value * 1000 - (performance.now() - t0)
    if (wait > 0.25) setTimeout(tick, Math.max(0, wait - 1))
    else setImmediate(tick)
  }

  // ---- once-a-second sampling: vus, progress, saturation; thresholds every 2 s
  const warnings: Warning[] = []
  const warningCounts: Record<string, number> = {}
  const warn = (kind: Warning['kind'], message: string) => {
    warningCounts[kind] = (warningCounts[kind] ?? 0) + 1
    if (warningCounts[kind] > 1) return
    const w: Warning = { kind, atS: (performance.now() - t0) / 1000, message }
    warnings.push(w)
    o.onWarning?.(w)
  }
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  let lastCpu = process.cpuUsage()
  let lastWall = performance.now()
  let hot = 0
  let secIndex = 0
  const totalMem = os.totalmem()
  const heapLimit = v8.getHeapStatistics().heap_size_limit
  let lastDropped = 0
  const crossedAt: ({ value: number } | undefined)[] = []
  const evalThresholds = (final: boolean) => {
    const elapsed = (performance.now() - t0) / 1000
    const out: RunResult['thresholds'] = []
    thresholds.forEach((t, i) => {
      const a = aggs.get(t.metric) as MetricAgg
      const v = aggregate(t, a, elapsed)
      // a crossing is sticky: a threshold that failed at any evaluation has failed (exit 99)
      if (!holds(t, v) && !crossedAt[i]) crossedAt[i] = { value: v }
      const ok = !crossedAt[i]
      out.push({ metric: t.metric, source: t.source, ok, value: crossedAt[i]?.value ?? v })
      if (!ok && t.abortOnFail && !final && !aborted) {
        aborted = 'threshold'
        stopAll()
        setImmediate(finish)
      }
    })
    return out
  }
  const sampler = setInterval(() => {
    const now = performance.now()
    secIndex++
    emit('vus', now, busy, plainTags)
    emit('vus_max', now, allocated, plainTags)
    if (thresholds.length && secIndex % 2 === 0) evalThresholds(false)
    // saturation
    const c = process.cpuUsage()
    const cpuFrac =
      (c.user - lastCpu.user + c.system - lastCpu.system) / 1000 / Math.max(1, now - lastWall)
    lastCpu = c
    lastWall = now
    hot = cpuFrac > 0.9 ? hot + 1 : 0
    if (hot >= 2)
      warn(
        'cpu',
        `generator CPU at ${(cpuFrac * 100).toFixed(0)}% of a core: the numbers may describe the client, not the system`,
      )
    const mem = process.memoryUsage()
    if (mem.rss > maxRss) maxRss = mem.rss
    if (mem.rss / totalMem > 0.8 || mem.heapUsed / heapLimit > 0.8)
      warn(
        'memory',
        `generator memory high (rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB)`,
      )
    const lagP99 = loop.percentile(99) / 1e6
    if (lagP99 > 50) warn('event-loop-lag', `generator event-loop lag p99 ${lagP99.toFixed(0)} ms`)
    loop.reset()
    if (dropped > lastDropped)
      warn('dropped', `iterations dropped: no idle VU (maxVUs ${sc.maxVUs})`)
    lastDropped = dropped
    if (allocated >= 0.9 * sc.maxVUs && busy >= 0.9 * sc.maxVUs)
      warn('vus-near-max', `busy VUs ${busy} near maxVUs ${sc.maxVUs}`)
    const recent = lags.slice(-Math.max(1, secStarted))
    if (recent.length >= 5 && percentile(recent, 99) > 20)
      warn(
        'start-lag',
        `iterations start late (p99 ${percentile(recent, 99).toFixed(0)} ms): the generator cannot hold the rate`,
      )
    // progress
    lastSecs.push(secDurations)
    if (lastSecs.length > 10) lastSecs.shift()
    if (o.progress) {
      const win = lastSecs.flat()
      const p95 = win.length ? percentile(win, 95) : NaN
      const el = (now - t0) / 1000
      o.progress.write(
        `\r${el.toFixed(0).padStart(4)}s/${totalS.toFixed(0)}s  target ${rateAt(segs, el).toFixed(1)}/s  started ${secStarted}/s  done ${secCompleted}/s  busy ${busy}/${allocated}  p95 ${Number.isNaN(p95) ? '-' : p95.toFixed(1)}ms  errors ${failed}  dropped ${dropped}   `,
      )
    }
    secDurations = []
    secStarted = 0
    secCompleted = 0
  }, 1000)

  const onAbort = () => {
    if (!aborted) aborted = 'signal'
    stopAll()
    setImmediate(finish)
  }
  o.signal?.addEventListener('abort', onAbort, { once: true })

  tick()
  await donePromise
  clearInterval(sampler)
  if (graceTimer) clearTimeout(graceTimer)
  if (endTimer) clearTimeout(endTimer)
  o.signal?.removeEventListener('abort', onAbort)
  loop.disable()
  stopAll()
  if (agent) agent.destroy()
  const endPerf = performance.now()
  emit('vus', endPerf, busy, plainTags)
  const finalT = evalThresholds(true)
  if (o.progress) o.progress.write('\n')
  const outPath = writer ? await writer.close(aborted !== 'signal') : undefined
  const cpu = process.cpuUsage(cpu0)
  const sortedLags = Float64Array.from(lags).sort()
  return {
    scheduled,
    started,
    completed,
    failed,
    dropped,
    interrupted,
    aborted,
    thresholds: finalT,
    thresholdsCrossed: finalT.some((t) => !t.ok),
    startMs,
    endMs: wall(endPerf),
    maxBusy,
    maxAllocated,
    startLagMs: {
      p50: percentile(sortedLags, 50, true),
      p99: percentile(sortedLags, 99, true),
      max: sortedLags.length ? sortedLags[sortedLags.length - 1] : NaN,
    },
    achievedStartRate: started > 1 ? (started - 1) / ((lastStart - firstStart) / 1000) : NaN,
    warnings,
    warningCounts,
    outPath,
    cpu: { userMs: cpu.user / 1000, systemMs: cpu.system / 1000 },
    maxRssBytes: maxRss,
  }
}

export type { Threshold }
