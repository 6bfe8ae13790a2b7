/**
 * Streaming readers for k6 results: `--out json` NDJSON (also `.gz`) and `--out csv`.
 *
 * NDJSON: `Metric` records (pre-v0.40 ones carry `tainted` and `sub`; ignored) and `Point`
 * records `{time, value, tags, metadata?}` (tags may be null; metadata, e.g. k6's `vu`/`iter`
 * or a trace id, is kept apart from tags). CSV: the header names the columns
 * (`metric_name,timestamp,metric_value,...,url,extra_tags,metadata`); timestamps are unix
 * seconds by default, or `unix_milli`/`unix_micro`/`unix_nano` (k6's `timeFormat`, told apart
 * by magnitude) or RFC 3339. A malformed line is a one-line error naming the file and line.
 */
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { configError } from './errors.ts'

export interface Sample {
  metric: string
  /** epoch milliseconds (fractional: microsecond precision where the file has it) */
  timeMs: number
  value: number
  tags: Record<string, string>
}

/** RFC 3339 with any number of fractional digits and a Z or ±hh:mm offset, to epoch ms. */
export function parseTime(s: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(s.trim())
  if (!m) return NaN
  const base = Date.parse(`${m[1]}${m[3] ?? 'Z'}`)
  const frac = m[2] ? Number(`0.${m[2]}`) * 1000 : 0
  return base + frac
}

/** A CSV timestamp: unix s/ms/µs/ns by magnitude, or RFC 3339. */
export function parseCsvTime(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) {
    const v = Number(s)
    if (v > 1e17) return v / 1e6 // ns
    if (v > 1e14) return v / 1e3 // µs
    if (v > 1e11) return v // ms
    return v * 1000 // s
  }
  return parseTime(s)
}

/** Split one CSV line (RFC 4180 quotes). */
export function splitCsv(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let q = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (q) {
      if (c === '"') {
        if (line[i + 1] === '"') {
          cur += '"'
          i++
        } else q = false
      } else cur += c
    } else if (c === '"') q = true
    else if (c === ',') {
      out.push(cur)
      cur = ''
    } else cur += c
  }
  out.push(cur)
  return out
}

async function lines(path: string) {
  const stream = createReadStream(path)
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve())
    stream.once('error', (e) =>
      reject(
        configError('LOADTEST_RESULTS_UNREADABLE', `${path}: ${(e as Error).message}`, {
          field: 'results',
        }),
      ),
    )
  })
  const input = path.endsWith('.gz') ? stream.pipe(createGunzip()) : stream
  return createInterface({ input, crlfDelay: Infinity })
}

export function formatOf(path: string): 'ndjson' | 'csv' {
  const p = path.replace(/\.gz$/, '').replace(/\.partial$/, '')
  return p.endsWith('.csv') ? 'csv' : 'ndjson'
}

/** Every sample of a k6 results file, in file order. */
export async function* readSamples(path: string): AsyncGenerator<Sample> {
  const rl = await lines(path)
  const csv = formatOf(path) === 'csv'
  let n = 0
  let cols: Record<string, number> | undefined
  for await (const line of rl) {
    n++
    if (line.trim() === '') continue
    if (csv) {
      const f = splitCsv(line)
      if (!cols) {
        cols = Object.fromEntries(f.map((h, i) => [h.trim(), i]))
        if (
          cols.metric_name === undefined ||
          cols.timestamp === undefined ||
          cols.metric_value === undefined
        )
          throw configError(
            'LOADTEST_BAD_RESULTS',
            `${path}:1: not a k6 CSV header (metric_name,timestamp,metric_value,...)`,
            { field: 'results', line: 1 },
          )
        continue
      }
      const timeMs = parseCsvTime(f[cols.timestamp] ?? '')
      const value = Number(f[cols.metric_value])
      if (!Number.isFinite(timeMs) || !Number.isFinite(value) || !f[cols.metric_name])
        throw configError('LOADTEST_BAD_RESULTS', `${path}:${n}: malformed CSV row`, {
          field: 'results',
          line: n,
        })
      const tags: Record<string, string> = {}
      for (const [k, i] of Object.entries(cols)) {
        if (k === 'metric_name' || k === 'timestamp' || k === 'metric_value' || k === 'metadata')
          continue
        const v = f[i]
        if (v === undefined || v === '') continue
        if (k === 'extra_tags') {
          for (const kv of v.split('&')) {
            const j = kv.indexOf('=')
            if (j > 0)
              tags[decodeURIComponent(kv.slice(0, j))] = decodeURIComponent(kv.slice(j + 1))
          }
        } else tags[k] = v
      }
      yield { metric: f[cols.metric_name], timeMs, value, tags }
      continue
    }
    let rec: {
      type?: string
      metric?: string
      data?: { time?: string; value?: number; tags?: Record<string, string> | null }
    }
    try {
      rec = JSON.parse(line)
    } catch {
      throw configError(
        'LOADTEST_BAD_RESULTS',
        `${path}:${n}: not JSON (a truncated or foreign file?)`,
        { field: 'results', line: n },
      )
    }
    if (rec.type === 'Metric') continue
    if (rec.type !== 'Point')
      throw configError(
        'LOADTEST_BAD_RESULTS',
        `${path}:${n}: expected a k6 Metric or Point record`,
        { field: 'results', line: n },
      )
    const d = rec.data
    const timeMs = d && typeof d.time === 'string' ? parseTime(d.time) : NaN
    if (
      !d ||
      typeof rec.metric !== 'string' ||
      typeof d.value !== 'number' ||
      !Number.isFinite(timeMs)
    )
      throw configError('LOADTEST_BAD_RESULTS', `${path}:${n}: malformed Point record`, {
        field: 'results',
        line: n,
      })
    yield { metric: rec.metric, timeMs, value: d.value, tags: d.tags ?? {} }
  }
}
