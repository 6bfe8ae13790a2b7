/**
 * `rere loadtest run|analyze|report|compare|profiles`: the performance toolkit
 * (tools/loadtest, docs/experiments.md). Errors are one line; exit codes follow k6: 99 a
 * threshold was crossed (e.g. the breakpoint reached), 104 invalid configuration or input,
 * 105 interrupted, 107 the target or its fixture failed.
 */
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  builtin,
  checkEndpoint,
  compareHtml,
  compareMarkdown,
  configError,
  EXIT,
  loadQueries,
  loadRun,
  loadScenario,
  LoadtestError,
  parseDuration,
  preflight,
  runTrials,
  scaleScenario,
  scenarioDuration,
  summaryMarkdown,
  withNetem,
  writeReport,
  k6Script,
  K6_SCRIPT_PATH,
  type PromOptions,
} from '@rere/loadtest'
import { fileURLToPath } from 'node:url'
import { writeFileSync } from 'node:fs'

/** Run an action; a LoadtestError becomes one line on stderr and its exit code. */
export async function act(name: string, f: () => Promise<number | void>): Promise<void> {
  try {
    const code = await f()
    if (code) process.exitCode = code
  } catch (e) {
    if (e instanceof LoadtestError) {
      console.error(`${name}: ${e.message}`)
      process.exitCode = e.exitCode
    } else {
      console.error(`${name}: ${(e as Error).message}`)
      process.exitCode = 1
    }
  }
}

export function num(
  v: string | undefined,
  field: string,
  min = 0,
  integer = false,
): number | undefined {
  if (v === undefined) return undefined
  const x = Number(v)
  if (!Number.isFinite(x) || x < min || (integer && !Number.isInteger(x)))
    throw configError(
      'LOADTEST_BAD_OPTION',
      `--${field}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, got "${v}"`,
      { field },
    )
  return x
}

export function checkUrl(url: string | undefined, field = 'url'): string {
  if (!url)
    throw configError('LOADTEST_BAD_OPTION', `--${field} is required (or RERE_URL)`, { field })
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw configError('LOADTEST_BAD_OPTION', `--${field}: not a URL: "${url}"`, { field })
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw configError('LOADTEST_BAD_OPTION', `--${field}: expected http(s), got ${u.protocol}`, {
      field,
    })
  return url
}

export interface PromCliOptions {
  promUrl?: string
  promToken?: string
  promUser?: string
  promPassword?: string
  promQueries?: string
  namespace?: string
  apiDeployment?: string
  solverDeployment?: string
}

export function promFrom(o: PromCliOptions): PromOptions | undefined {
  if (!o.promUrl) return undefined
  checkUrl(o.promUrl, 'prom-url')
  if (o.promUser && o.promPassword === undefined)
    throw configError('LOADTEST_BAD_OPTION', '--prom-user needs --prom-password', {
      field: 'promPassword',
    })
  return {
    url: o.promUrl,
    ...(o.promToken ? { bearer: o.promToken } : {}),
    ...(o.promUser ? { basic: { user: o.promUser, password: o.promPassword ?? '' } } : {}),
    ...(o.promQueries ? { queries: loadQueries(o.promQueries) } : {}),
    namespace: o.namespace ?? 'rere',
    deployments: {
      api: o.apiDeployment ?? 'rere-api',
      solver: o.solverDeployment ?? 'rere-solver',
    },
  }
}

function promOptions(c: Command): Command {
  return c
    .option(
      '--prom-url <url>',
      'Prometheus-compatible query API for cluster metrics (e.g. Grafana Cloud)',
    )
    .option('--prom-token <token>', 'bearer token for --prom-url')
    .option('--prom-user <user>', 'basic-auth user for --prom-url')
    .option('--prom-password <password>', 'basic-auth password for --prom-url')
    .option('--prom-queries <file>', 'JSON {name: PromQL} replacing the default queries')
    .option('--namespace <ns>', 'Kubernetes namespace of the deployments', 'rere')
    .option('--api-deployment <name>', 'API deployment name', 'api')
    .option('--solver-deployment <name>', 'solver deployment name', 'solver')
}

function analyzeOptions(c: Command): Command {
  return c
    .option('--tau <seconds>', 'EWMA time constant of the smoothed response time', '10')
    .option('--window <seconds>', 'sliding window of the moving percentiles', '10')
    .option('--degradation-ms <ms>', 'degradation threshold (default 100 for UOR, 1000 for FS)')
    .option('--allow-partial', 'read interrupted (.partial) results too')
}

interface AnalyzeCli extends PromCliOptions {
  tau: string
  window: string
  degradationMs?: string
  allowPartial?: boolean
}
function analyzeArgs(o: AnalyzeCli) {
  return {
    tauS: num(o.tau, 'tau', 0.001),
    windowS: num(o.window, 'window', 1, true),
    degradationMs: num(o.degradationMs, 'degradation-ms', 0),
    allowPartial: !!o.allowPartial,
    prom: promFrom(o),
  }
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
}

interface RunCli extends PromCliOptions {
  url?: string
  token?: string
  endpoint: string
  profile: string
  trials: string
  cooldown: string
  rateScale: string
  timeScale: string
  preAllocatedVus?: string
  maxVus?: string
  httpTimeout?: string
  connectionReuse?: boolean
  outDir?: string
  flowsheetId?: string
  report: boolean
  netemDelay?: string
  netemDev?: string
  netemNetns?: string
  dryRun?: boolean
}

export function register(program: Command): void {
  const lt = program
    .command('loadtest')
    .description(
      'load tests: run profiles (open model, k6 semantics), analyze results, reports, compare',
    )

  promOptions(
    lt
      .command('run')
      .description(
        'run N trials of a load profile against UOR or FS; writes k6 NDJSON results and a report',
      )
      .option('--url <url>', 'API base URL, e.g. http://127.0.0.1:8080 (default: RERE_URL)')
      .option('--token <token>', 'personal API token (default: RERE_TOKEN)')
      .option(
        '--endpoint <uor|fs>',
        'uor: GET /api/unitops/unitops/?flowsheetOwner={id}; fs: POST /api/solve/idaes/',
        'uor',
      )
      .option(
        '--profile <name|file>',
        'average | stress | spike | breakpoint, or a JSON profile file',
        'average',
      )
      .option('--trials <n>', 'number of trials', '3')
      .option('--cooldown <seconds>', 'pause between trials', '60')
      .option('--rate-scale <x>', 'multiply every rate', '1')
      .option('--time-scale <x>', 'multiply every stage duration (e.g. 0.05 for a smoke run)', '1')
      .option('--pre-allocated-vus <n>', "override the profile's preAllocatedVUs")
      .option('--max-vus <n>', "override the profile's maxVUs")
      .option('--http-timeout <duration>', 'per-request timeout (k6 duration)', '60s')
      .option('--connection-reuse', "reuse connections (the seed's tests did not)")
      .option(
        '--out-dir <dir>',
        'results folder (default loadtest-results/<time>-<endpoint>-<profile>)',
      )
      .option(
        '--flowsheet-id <id>',
        'use this flowsheet instead of creating the pump fixture per trial',
      )
      .option('--no-report', 'skip the HTML/Markdown/CSV report')
      .option(
        '--netem-delay <delay>',
        'opt-in latency injection: tc netem delay (e.g. 5ms); needs root, never in CI',
      )
      .option('--netem-dev <dev>', 'interface for --netem-delay', 'lo')
      .option('--netem-netns <ns>', 'network namespace for --netem-delay')
      .option('--dry-run', 'print the resolved scenario and exit'),
  ).action((o: RunCli) =>
    act('rere loadtest run', async () => {
      const { loadClientConfig } = await import('@rere/api/config')
      const env = loadClientConfig(process.env)
      const endpoint = checkEndpoint(o.endpoint)
      const { name, scenario } = loadScenario(o.profile, endpoint)
      const sc = scaleScenario(scenario, {
        rateScale: num(o.rateScale, 'rate-scale', 0),
        timeScale: num(o.timeScale, 'time-scale', 0),
        preAllocatedVUs: num(o.preAllocatedVus, 'pre-allocated-vus', 0, true),
        maxVUs: num(o.maxVus, 'max-vus', 1, true),
      })
      const trials = num(o.trials, 'trials', 1, true) as number
      const cooldownS = num(o.cooldown, 'cooldown', 0) as number
      const httpTimeout = o.httpTimeout ?? '60s'
      parseDuration(httpTimeout, 'http-timeout')
      const base = { ...builtin().baseOptions, httpTimeout, noConnectionReuse: !o.connectionReuse }
      const flowsheetId = num(o.flowsheetId, 'flowsheet-id', 1, true)
      const prom = promFrom(o)
      if (o.dryRun) {
        console.log(
          JSON.stringify(
            {
              endpoint,
              profile: name,
              scenario: sc,
              base,
              trials,
              cooldownS,
              durationS: scenarioDuration(sc),
            },
            null,
            2,
          ),
        )
        return
      }
      const url = checkUrl(o.url ?? env.url)
      const token = o.token ?? env.token
      const outDir = o.outDir ?? join('loadtest-results', `${stamp()}-${endpoint}-${name}`)
      await preflight(url)
      const ac = new AbortController()
      const onSig = () => ac.abort()
      process.once('SIGINT', onSig)
      const work = () =>
        runTrials({
          url,
          token,
          endpoint,
          profileName: name,
          scenario: sc,
          base,
          trials,
          cooldownS,
          outDir,
          flowsheetId,
          progress: process.stderr.isTTY ? process.stderr : false,
          log: (l) => console.error(l),
          signal: ac.signal,
        })
      let manifest
      try {
        manifest = o.netemDelay
          ? await withNetem(
              {
                delay: o.netemDelay,
                dev: o.netemDev ?? 'lo',
                netns: o.netemNetns,
                log: (l) => console.error(l),
              },
              work,
            )
          : await work()
      } finally {
        process.off('SIGINT', onSig)
      }
      if (o.report && manifest.trials.length) {
        const r = await loadRun([outDir], { allowPartial: !manifest.complete, prom })
        writeReport(r, outDir)
        console.log(summaryMarkdown(r))
        console.error(`report: ${join(outDir, 'report.html')}`)
      }
      console.error(`results: ${outDir}`)
      if (!manifest.complete) return EXIT.EXTERNAL_ABORT
      if (manifest.trials.some((t) => t.result.thresholdsCrossed)) {
        console.error('thresholds crossed (breakpoint reached)')
        return EXIT.THRESHOLDS
      }
    }),
  )

  analyzeOptions(promOptions(lt.command('analyze <results...>')))
    .description(
      'summary statistics of k6 results (NDJSON, CSV, .gz) or run folders; one file per trial',
    )
    .option('--json', 'print JSON (summary per trial, mean and spread, per-second timeline)')
    .action((results: string[], o: AnalyzeCli & { json?: boolean }) =>
      act('rere loadtest analyze', async () => {
        const r = await loadRun(results, analyzeArgs(o))
        if (o.json)
          console.log(
            JSON.stringify({
              trials: r.trials.map((t) => ({ summary: t.summary, timeline: t.buckets })),
              aggregate: r.aggregate,
            }),
          )
        else console.log(summaryMarkdown(r))
      }),
    )

  analyzeOptions(promOptions(lt.command('report <results...>')))
    .description(
      'write report.html (inline SVG), charts/*.svg, summary.md, summary.csv and timelines',
    )
    .option('--out <dir>', 'output folder (default: the run folder, or ./loadtest-report)')
    .action((results: string[], o: AnalyzeCli & { out?: string }) =>
      act('rere loadtest report', async () => {
        const r = await loadRun(results, analyzeArgs(o))
        const out = o.out ?? r.dir ?? 'loadtest-report'
        const files = writeReport(r, out)
        console.log(files.join('\n'))
      }),
    )

  analyzeOptions(lt.command('compare <a> <b>'))
    .description('two runs side by side (e.g. local vs cluster, one setting against another)')
    .option('--html <file>', 'also write an HTML comparison with overlaid charts')
    .action((a: string, b: string, o: AnalyzeCli & { html?: string }) =>
      act('rere loadtest compare', async () => {
        const args = analyzeArgs(o)
        for (const p of [a, b])
          if (!existsSync(p))
            throw configError('LOADTEST_RESULTS_UNREADABLE', `no such file or folder: ${p}`, {
              field: 'results',
            })
        const label = (p: string) => p.replace(/\/+$/, '').split(/[\\/]/).slice(-2).join('/')
        const ra = await loadRun([a], { ...args, label: label(a) })
        const rb = await loadRun([b], { ...args, label: label(b) })
        console.log(compareMarkdown(ra, rb))
        if (o.html) writeFileSync(o.html, compareHtml(ra, rb))
      }),
    )

  lt.command('k6-script')
    .description('print the k6 script of the profiles (tools/loadtest/k6/rere.ts), or --write it')
    .option('--write', 'regenerate tools/loadtest/k6/rere.ts from profiles/builtin.json')
    .action((o: { write?: boolean }) =>
      act('rere loadtest k6-script', async () => {
        const src = await k6Script()
        if (o.write) {
          writeFileSync(K6_SCRIPT_PATH, src)
          console.error(`wrote ${fileURLToPath(K6_SCRIPT_PATH)}`)
        } else process.stdout.write(src)
      }),
    )

  lt.command('profiles')
    .description('list the built-in load profiles and their stages')
    .option('--json', 'print profiles/builtin.json')
    .action((o: { json?: boolean }) =>
      act('rere loadtest profiles', async () => {
        const b = builtin()
        if (o.json) return void console.log(JSON.stringify(b, null, 2))
        for (const [name, p] of Object.entries(b.profiles)) {
          console.log(`${name}: ${p.description}`)
          for (const ep of ['uor', 'fs'] as const) {
            const s = p[ep]
            const stages = s.stages.map((x) => `${x.duration}->${x.target}/s`).join(', ')
            console.log(
              `  ${ep}: start ${s.startRate}/s, ${stages}; VUs ${s.preAllocatedVUs}..${s.maxVUs}; gracefulStop ${s.gracefulStop}${s.thresholds ? `; thresholds ${JSON.stringify(s.thresholds)}` : ''}`,
            )
          }
        }
      }),
    )
}
