/**
 * Writes results in k6's `--out json` NDJSON format: one `Metric` record the first time a metric
 * appears, then one `Point` record per sample:
 *   {"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}
 *   {"type":"Point","data":{"time":"2026-11-28T21:00:00.123456Z","value":1,"tags":{...}},"metric":"http_reqs"}
 * The file is written as `<path>.partial` and renamed to `<path>` only when the run ends
 * cleanly (or was aborted by a threshold), so a half-written results file always carries a marker.
 */
import { createWriteStream, renameSync, type WriteStream } from 'node:fs'

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend'
export type Contains = 'default' | 'time' | 'data'

/** The k6 built-in metrics the runner emits, with k6's types. */
export const METRICS: Record<string, { type: MetricType; contains: Contains }> = {
  http_reqs: { type: 'counter', contains: 'default' },
  http_req_duration: { type: 'trend', contains: 'time' },
  http_req_blocked: { type: 'trend', contains: 'time' },
  http_req_connecting: { type: 'trend', contains: 'time' },
  http_req_tls_handshaking: { type: 'trend', contains: 'time' },
  http_req_sending: { type: 'trend', contains: 'time' },
  http_req_waiting: { type: 'trend', contains: 'time' },
  http_req_receiving: { type: 'trend', contains: 'time' },
  http_req_failed: { type: 'rate', contains: 'default' },
  iteration_duration: { type: 'trend', contains: 'time' },
  iterations: { type: 'counter', contains: 'default' },
  dropped_iterations: { type: 'counter', contains: 'default' },
  vus: { type: 'gauge', contains: 'default' },
  vus_max: { type: 'gauge', contains: 'default' },
  data_received: { type: 'counter', contains: 'data' },
  data_sent: { type: 'counter', contains: 'data' },
}

/** RFC 3339 with microseconds, UTC, from epoch milliseconds (fractional). */
export function isoMicro(ms: number): string {
  const whole = Math.floor(ms)
  const micro = Math.round((ms - whole) * 1000)
  const base = new Date(whole).toISOString() // 2026-11-28T21:00:00.123Z
  return `${base.slice(0, 23)}${String(Math.min(micro, 999)).padStart(3, '0')}Z`
}

export class NdjsonWriter {
  readonly path: string
  private out: WriteStream
  private seen = new Set<string>()
  private buf: string[] = []
  private bufLen = 0
  private closed = false
  /** thresholds per metric, listed in the Metric record as k6 does */
  constructor(
    path: string,
    private thresholds: Record<string, string[]> = {},
  ) {
    this.path = path
    this.out = createWriteStream(`${path}.partial`)
  }

  /** `tags` may be pre-serialised JSON (the runner caches the tag sets of its requests). */
  point(
    metric: string,
    timeMs: number,
    value: number,
    tags: Record<string, string> | null | string,
  ): void {
    if (!this.seen.has(metric)) {
      this.seen.add(metric)
      const m = METRICS[metric] ?? { type: 'trend', contains: 'default' }
      this.push(
        JSON.stringify({
          type: 'Metric',
          data: {
            name: metric,
            type: m.type,
            contains: m.contains,
            thresholds: this.thresholds[metric] ?? [],
            submetrics: null,
          },
          metric,
        }),
      )
    }
    this.push(
      `{"type":"Point","data":{"time":"${isoMicro(timeMs)}","value":${value},"tags":${typeof tags === 'string' ? tags : JSON.stringify(tags)}},"metric":"${metric}"}`,
    )
  }

  private push(line: string): void {
    this.buf.push(line)
    this.bufLen += line.length
    if (this.bufLen > 64 * 1024) this.flush()
  }

  flush(): void {
    if (this.buf.length === 0) return
    this.out.write(this.buf.join('\n') + '\n')
    this.buf = []
    this.bufLen = 0
  }

  /** Flush, close, and (when complete) rename `<path>.partial` to `<path>`. */
  async close(complete: boolean): Promise<string> {
    if (this.closed) return this.path
    this.closed = true
    this.flush()
    await new Promise<void>((resolve, reject) =>
      this.out.end((e?: Error | null) => (e ? reject(e) : resolve())),
    )
    if (complete) {
      renameSync(`${this.path}.partial`, this.path)
      return this.path
    }
    return `${this.path}.partial`
  }
}
