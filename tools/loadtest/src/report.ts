/**
 * Reports: load a run (a folder written by `rere loadtest run`, or k6 results files), analyse
 * every trial, and write a self-contained HTML report (inline SVG, no scripts, no CDN), the same
 * charts as SVG files, a Markdown and a CSV summary, and a per-second timeline CSV per trial.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import {
  aggregateTrials,
  analyzeFile,
  attachCluster,
  type AnalyzeOptions,
  type Spread,
  type TrialAnalysis,
} from './analyze.ts'
import { clusterSeries, type PromOptions } from './prometheus.ts'
import { lineChart, type ChartSpec } from './charts.ts'
import { configError } from './errors.ts'
import type { RunManifest } from './trials.ts'

export interface LoadedRun {
  label: string
  dir?: string
  manifest?: RunManifest
  trials: TrialAnalysis[]
  aggregate: Record<string, Spread>
}

/** The results files of a run folder (trial-*.ndjson / *.csv, .gz too) or the files given. */
export function resultFiles(
  inputs: string[],
  allowPartial = false,
): { files: string[]; dir?: string; manifest?: RunManifest } {
  const files: string[] = []
  let dir: string | undefined
  let manifest: RunManifest | undefined
  for (const p of inputs) {
    if (!existsSync(p))
      throw configError('LOADTEST_RESULTS_UNREADABLE', `no such file or folder: ${p}`, {
        field: 'results',
      })
    if (statSync(p).isDirectory()) {
      dir = p
      const mf = join(p, 'run.json')
      if (existsSync(mf)) {
        try {
          manifest = JSON.parse(readFileSync(mf, 'utf8')) as RunManifest
        } catch {
          throw configError('LOADTEST_BAD_RESULTS', `${mf}: not JSON`, { field: 'results' })
        }
      }
      const names = manifest
        ? manifest.trials.map((t) => t.file).filter((f) => existsSync(join(p, f)))
        : readdirSync(p)
            .filter((f) => /\.(ndjson|json|csv)(\.gz)?$/.test(f))
            .filter((f) => !/^(run|experiment)\.json$|^summary|^timeline-/.test(f))
            .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
      const partial = readdirSync(p).filter((f) => f.endsWith('.partial'))
      if (partial.length && !allowPartial)
        throw configError(
          'LOADTEST_PARTIAL_RESULTS',
          `${join(p, partial[0])}: an interrupted run (.partial); use --allow-partial to read it`,
          { field: 'results' },
        )
      files.push(
        ...names.map((f) => join(p, f)),
        ...(allowPartial ? partial.map((f) => join(p, f)) : []),
      )
    } else {
      if (p.endsWith('.partial') && !allowPartial)
        throw configError(
          'LOADTEST_PARTIAL_RESULTS',
          `${p}: an interrupted run (.partial); use --allow-partial to read it`,
          { field: 'results' },
        )
      files.push(p)
    }
  }
  if (files.length === 0)
    throw configError('LOADTEST_RESULTS_UNREADABLE', `no results files in ${inputs.join(', ')}`, {
      field: 'results',
    })
  return { files, dir, manifest }
}

export async function loadRun(
  inputs: string[],
  o: AnalyzeOptions & { allowPartial?: boolean; label?: string; prom?: PromOptions } = {},
): Promise<LoadedRun> {
  const { files, dir, manifest } = resultFiles(inputs, o.allowPartial)
  const opts: AnalyzeOptions = { ...o }
  if (opts.degradationMs === undefined && manifest)
    opts.degradationMs = manifest.endpoint === 'fs' ? 1000 : 100
  const trials: TrialAnalysis[] = []
  for (const f of files) trials.push(await analyzeFile(f, opts))
  if (o.prom && trials.length) {
    const start = Math.min(...trials.map((t) => t.startMs))
    const end = Math.max(...trials.map((t) => t.startMs + t.summary.durationS * 1000))
    const c = await clusterSeries(o.prom, start - 60_000, end + 60_000)
    for (const t of trials) attachCluster(t, c)
  }
  return {
    label: o.label ?? (dir ? basename(dir) : basename(files[0])),
    dir,
    manifest,
    trials,
    aggregate: aggregateTrials(trials.map((t) => t.summary)),
  }
}

const ROWS: [string, string, (v: number) => string][] = [
  ['requests', 'requests', (v) => v.toFixed(0)],
  ['meanCompletionRate', 'mean completion rate [req/s]', (v) => v.toFixed(2)],
  ['maxCompletionRate', 'max completion rate [req/s]', (v) => v.toFixed(0)],
  ['maxStartRate', 'max start rate [req/s]', (v) => v.toFixed(0)],
  ['medianMs', 'median response time [ms]', (v) => v.toFixed(2)],
  ['p95Ms', 'p95 response time [ms]', (v) => v.toFixed(2)],
  ['p99Ms', 'p99 response time [ms]', (v) => v.toFixed(2)],
  ['errorRate', 'error rate [%]', (v) => (v * 100).toFixed(2)],
  ['dropped', 'dropped iterations', (v) => v.toFixed(0)],
  ['maxVus', 'max busy VUs', (v) => v.toFixed(0)],
  ['maxStartedToCompleted', 'max started/completed per second', (v) => v.toFixed(2)],
  ['degradationTimeS', 'degradation at [s]', (v) => v.toFixed(1)],
  ['degradationStartRate', 'start rate at degradation [req/s]', (v) => v.toFixed(0)],
  ['degradationCompletionRate', 'completion rate at degradation [req/s]', (v) => v.toFixed(0)],
  [
    'maxClusterCpuShare',
    'max cluster CPU requested by api+solver [%]',
    (v) => (v * 100).toFixed(1),
  ],
]

function trialValue(t: TrialAnalysis, key: string): number | undefined {
  const s = t.summary
  switch (key) {
    case 'degradationTimeS':
      return s.degradation?.tS
    case 'degradationStartRate':
      return s.degradation?.startRate
    case 'degradationCompletionRate':
      return s.degradation?.completionRate
    default:
      return (s as unknown as Record<string, number | undefined>)[key]
  }
}

function cell(v: number | undefined, f: (v: number) => string): string {
  return v === undefined || !Number.isFinite(v) ? '-' : f(v)
}

export function summaryMarkdown(r: LoadedRun): string {
  const head = [
    'statistic',
    ...r.trials.map((_, i) => `trial ${i + 1}`),
    'mean',
    'sd',
    'min',
    'max',
  ]
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`]
  for (const [key, label, f] of ROWS) {
    const a = r.aggregate[key]
    const vals = r.trials.map((t) => cell(trialValue(t, key), f))
    if (!a && vals.every((v) => v === '-')) continue
    lines.push(
      `| ${[label, ...vals, cell(a?.mean, f), cell(a?.sd, f), cell(a?.min, f), cell(a?.max, f)].join(' | ')} |`,
    )
  }
  const t = r.trials[0]?.summary
  const title = r.manifest ? `${r.manifest.endpoint.toUpperCase()} ${r.manifest.profile}` : r.label
  return [
    `# Load test: ${title}`,
    '',
    r.manifest
      ? `Target ${r.manifest.url}, ${r.manifest.trials.length} trial(s), host ${r.manifest.host.hostname} (${r.manifest.host.cpus} CPUs), ${r.manifest.createdAt}.`
      : '',
    t ? `Degradation threshold: smoothed response time above ${t.degradationMs} ms.` : '',
    '',
    ...lines,
    '',
  ].join('\n')
}

export function summaryCsv(r: LoadedRun): string {
  const keys = ROWS.map(([k]) => k)
  const out = [['row', ...keys].join(',')]
  r.trials.forEach((t, i) =>
    out.push([`trial-${i + 1}`, ...keys.map((k) => String(trialValue(t, k) ?? ''))].join(',')),
  )
  for (const stat of ['mean', 'sd', 'min', 'max'] as const)
    out.push([stat, ...keys.map((k) => String(r.aggregate[k]?.[stat] ?? ''))].join(','))
  return out.join('\n') + '\n'
}

export function timelineCsv(t: TrialAnalysis): string {
  const clusterKeys = [...new Set(t.buckets.flatMap((b) => Object.keys(b.cluster ?? {})))]
  const head = [
    't',
    'started',
    'completed',
    'failed',
    'errorRate',
    'dropped',
    'vus',
    'ewmaMs',
    'p50',
    'p90',
    'p95',
    'p99',
    ...clusterKeys,
  ]
  const rows = t.buckets.map((b) =>
    [
      b.t,
      b.started,
      b.completed,
      b.failed,
      b.errorRate,
      b.dropped,
      b.vus,
      b.ewmaMs,
      b.p50,
      b.p90,
      b.p95,
      b.p99,
      ...clusterKeys.map((k) => b.cluster?.[k] ?? ''),
    ]
      .map((v) => (typeof v === 'number' && !Number.isFinite(v) ? '' : String(v)))
      .join(','),
  )
  return [head.join(','), ...rows].join('\n') + '\n'
}

export function charts(r: LoadedRun): { name: string; spec: ChartSpec }[] {
  const out: { name: string; spec: ChartSpec }[] = []
  r.trials.forEach((t, i) => {
    const b = t.buckets
    const d = t.summary.degradation
    out.push({
      name: `response-time-trial-${i + 1}`,
      spec: {
        title: `Response time, trial ${i + 1}: EWMA and moving percentiles`,
        xLabel: 'time [s]',
        yLabel: 'response time [ms]',
        series: [
          { name: 'EWMA', points: b.map((x) => [x.t, x.ewmaMs]) },
          { name: 'p50', points: b.map((x) => [x.t, x.p50]), dashed: true },
          { name: 'p90', points: b.map((x) => [x.t, x.p90]), dashed: true },
          { name: 'p95', points: b.map((x) => [x.t, x.p95]), dashed: true },
          { name: 'p99', points: b.map((x) => [x.t, x.p99]), dashed: true },
        ],
        hlines: [
          {
            y: t.summary.degradationMs,
            label: `degradation threshold ${t.summary.degradationMs} ms`,
          },
        ],
        vlines: d ? [{ x: d.tS, label: `degraded at ${d.tS.toFixed(1)} s` }] : [],
      },
    })
  })
  out.push({
    name: 'rates',
    spec: {
      title: 'Start and completion rates',
      xLabel: 'time [s]',
      yLabel: 'requests per second',
      series: r.trials.flatMap((t, i) => [
        {
          name: `started ${i + 1}`,
          points: t.buckets.map((x) => [x.t, x.started] as [number, number]),
          dashed: true,
        },
        {
          name: `completed ${i + 1}`,
          points: t.buckets.map((x) => [x.t, x.completed] as [number, number]),
        },
      ]),
    },
  })
  out.push({
    name: 'vus',
    spec: {
      title: 'Busy virtual users and dropped iterations',
      xLabel: 'time [s]',
      yLabel: 'VUs / drops per second',
      series: r.trials.flatMap((t, i) => [
        {
          name: `busy VUs ${i + 1}`,
          points: t.buckets.map((x) => [x.t, x.vus] as [number, number]),
        },
        {
          name: `dropped ${i + 1}`,
          points: t.buckets.map((x) => [x.t, x.dropped] as [number, number]),
          dashed: true,
        },
      ]),
    },
  })
  out.push({
    name: 'errors',
    spec: {
      title: 'Error rate (HTTP errors and timeouts)',
      xLabel: 'time [s]',
      yLabel: 'errors [%]',
      series: r.trials.map((t, i) => ({
        name: `trial ${i + 1}`,
        points: t.buckets.map((x) => [x.t, x.errorRate * 100] as [number, number]),
      })),
    },
  })
  const ck = [
    ...new Set(r.trials.flatMap((t) => t.buckets.flatMap((b) => Object.keys(b.cluster ?? {})))),
  ]
  const group = (prefix: string) => ck.filter((k) => k.startsWith(prefix))
  for (const [prefix, title, unit] of [
    ['replicas:', 'Replicas', 'replicas'],
    ['cpu:', 'CPU used by deployment', 'cores'],
    ['mem:', 'Memory used by deployment', 'MiB'],
  ] as const) {
    const keys = group(prefix)
    if (!keys.length) continue
    const t = r.trials[0]
    out.push({
      name: prefix.slice(0, -1),
      spec: {
        title: `${title} (trial 1)`,
        xLabel: 'time [s]',
        yLabel: unit,
        series: keys.map((k) => ({
          name: k.slice(prefix.length),
          points: t.buckets.map(
            (b) =>
              [b.t, (b.cluster?.[k] ?? NaN) / (prefix === 'mem:' ? 2 ** 20 : 1)] as [
                number,
                number,
              ],
          ),
        })),
      },
    })
  }
  return out
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function mdTableToHtml(md: string): string {
  const rows = md
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|-/.test(l) && !/^\|---/.test(l))
  return `<table>${rows
    .map((l, i) => {
      const cells = l
        .slice(1, -1)
        .split('|')
        .map((c) => esc(c.trim()))
      const tag = i === 0 ? 'th' : 'td'
      return `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`
    })
    .join('')}</table>`
}

export function html(r: LoadedRun, warnings: string[] = []): string {
  const md = summaryMarkdown(r)
  const m = r.manifest
  const svgs = charts(r).map((c) => `<figure>${lineChart(c.spec)}</figure>`)
  const settings = m
    ? `<h2>Settings</h2><pre>${esc(JSON.stringify({ url: m.url, endpoint: m.endpoint, profile: m.profile, scenario: m.scenario, base: m.base, meta: m.meta }, null, 2))}</pre>
<h2>Host and versions</h2><pre>${esc(JSON.stringify({ ...m.host, tool: `${m.tool} ${m.version}` }, null, 2))}</pre>`
    : ''
  const warn = [
    ...warnings,
    ...(m?.trials ?? []).flatMap((t) =>
      t.result.warnings.map((w) => `trial ${t.index} at ${w.atS.toFixed(0)} s: ${w.message}`),
    ),
  ]
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rere load test: ${esc(r.label)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}figure{margin:16px 0}pre{background:#f6f6f6;padding:8px;font-size:12px;overflow:auto}
.warn{color:#a40}
</style></head><body>
<h1>Rere load test: ${esc(r.label)}</h1>
${md
  .split('\n')
  .filter((l) => l && !l.startsWith('|') && !l.startsWith('#'))
  .map((l) => `<p>${esc(l)}</p>`)
  .join('\n')}
<h2>Summary</h2>
${mdTableToHtml(md)}
${warn.length ? `<h2>Generator warnings</h2><ul class="warn">${warn.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
<h2>Charts</h2>
${svgs.join('\n')}
${settings}
</body></html>
`
}

/** Write report.html, summary.md, summary.csv, charts/*.svg, timeline-<n>.csv into `outDir`. */
export function writeReport(r: LoadedRun, outDir: string): string[] {
  mkdirSync(join(outDir, 'charts'), { recursive: true })
  const written: string[] = []
  const w = (name: string, text: string) => {
    writeFileSync(join(outDir, name), text)
    written.push(join(outDir, name))
  }
  w('report.html', html(r))
  w('summary.md', summaryMarkdown(r))
  w('summary.csv', summaryCsv(r))
  for (const c of charts(r)) w(join('charts', `${c.name}.svg`), lineChart(c.spec))
  r.trials.forEach((t, i) => w(`timeline-${i + 1}.csv`, timelineCsv(t)))
  return written
}

/** `rere loadtest compare A B`: the main statistics side by side, mean (sd) and change. */
export function compareMarkdown(a: LoadedRun, b: LoadedRun): string {
  const lines = [`| statistic | A: ${a.label} | B: ${b.label} | B vs A |`, '|---|---|---|---|']
  for (const [key, label, f] of ROWS) {
    const x = a.aggregate[key]
    const y = b.aggregate[key]
    if (!x && !y) continue
    const show = (s?: Spread) => (s ? `${f(s.mean)}${s.n > 1 ? ` (sd ${f(s.sd)})` : ''}` : '-')
    const change =
      x && y && x.mean !== 0 ? `${(((y.mean - x.mean) / Math.abs(x.mean)) * 100).toFixed(1)}%` : '-'
    lines.push(`| ${label} | ${show(x)} | ${show(y)} | ${change} |`)
  }
  return lines.join('\n') + '\n'
}

export function compareHtml(a: LoadedRun, b: LoadedRun): string {
  const md = compareMarkdown(a, b)
  const series = (r: LoadedRun, tag: string, f: (x: TrialAnalysis['buckets'][number]) => number) =>
    r.trials.map((t, i) => ({
      name: `${tag} ${i + 1}`,
      points: t.buckets.map((x) => [x.t, f(x)] as [number, number]),
      dashed: tag === 'B',
    }))
  const c1 = lineChart({
    title: 'Response time EWMA: A (solid) vs B (dashed)',
    xLabel: 'time [s]',
    yLabel: 'ms',
    series: [...series(a, 'A', (x) => x.ewmaMs), ...series(b, 'B', (x) => x.ewmaMs)],
  })
  const c2 = lineChart({
    title: 'Completion rate: A (solid) vs B (dashed)',
    xLabel: 'time [s]',
    yLabel: 'req/s',
    series: [...series(a, 'A', (x) => x.completed), ...series(b, 'B', (x) => x.completed)],
  })
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Rere compare: ${esc(a.label)} vs ${esc(b.label)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px}table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px}</style></head>
<body><h1>${esc(a.label)} vs ${esc(b.label)}</h1>${mdTableToHtml(md)}<figure>${c1}</figure><figure>${c2}</figure></body></html>
`
}
