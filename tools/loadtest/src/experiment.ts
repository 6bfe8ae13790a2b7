/**
 * The experiment runner: a plan (JSON file, tools/loadtest/plans/) is a matrix of settings, each
 * with its load runs (endpoint x profile), run N trials each against a Kubernetes deployment or
 * the local target.
 *
 * Kubernetes (kubectl on PATH, the current or the plan's context):
 *  1. save the HPAs' min/max/metrics, the deployments' CPU requests and replica counts, and
 *     Argo CD's automated sync policy of the application;
 *  2. pause Argo CD's automated sync (it would revert the changes);
 *  3. per setting: apply it without fighting the HPA: a fixed replica count becomes HPA
 *     minReplicas = maxReplicas = N (or, with `fixedReplicas: "remove-hpa"`, the HPA is deleted
 *     and the deployment scaled); CPU requests with `kubectl set resources`; target utilisation
 *     and min/max replicas by patching the HPA; then `kubectl rollout status` and a wait until
 *     spec, ready and updated replicas agree (and equal N when fixed) for `settleChecks`
 *     consecutive polls; then the trials;
 *  4. finally (also after a failure or Ctrl-C): restore every HPA, request and replica count,
 *     and Argo CD's sync policy.
 * `--dry-run` prints every command (and the trials) without running anything.
 *
 * Local: per setting, the solver and the API each run as N worker processes (Node's cluster
 * module, ./cluster.ts) over PostgreSQL behind PgBouncer (PGlite cannot be shared between
 * processes); the trials run against the API; both are stopped after the setting.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { configError, EXIT, LoadtestError } from './errors.ts'
import { checkEndpoint, loadScenario, scaleScenario, type EndpointName } from './profiles.ts'
import { loadRun, summaryMarkdown, writeReport } from './report.ts'
import { runTrials, type RunManifest } from './trials.ts'

export interface RoleSetting {
  /** fixed replica count (HPA min = max, or HPA removed) / local worker processes */
  replicas?: number
  /** CPU request, e.g. "500m" */
  cpuRequest?: string
  /** HPA target CPU utilisation [%] */
  targetUtilization?: number
  minReplicas?: number
  maxReplicas?: number
}
export interface Setting {
  name: string
  api?: RoleSetting
  solver?: RoleSetting
}
export interface PlanRun {
  endpoint: EndpointName
  profile: string
}
export interface KubeTarget {
  kind: 'kubernetes'
  url: string
  context?: string
  namespace: string
  deployments: { api: string; solver: string }
  /** HPA names (omit a role that has none) */
  hpa?: { api?: string; solver?: string }
  /** container for `kubectl set resources -c` (default: all containers) */
  containers?: { api?: string; solver?: string }
  argocd?: { namespace: string; application: string }
  fixedReplicas?: 'hpa-min-max' | 'remove-hpa'
  rolloutTimeoutS?: number
  settleChecks?: number
  settleIntervalS?: number
  settleTimeoutS?: number
}
export interface LocalTarget {
  kind: 'local'
  apiPort?: number
  solverPort?: number
  /** PostgreSQL via PgBouncer for the API (transaction mode) */
  databaseUrl?: string
  /** direct PostgreSQL for migrations */
  databaseDirectUrl?: string
  readyTimeoutS?: number
}
/** A running deployment left as it is (e.g. `rere start`, a Compose host): settings are labels. */
export interface UrlTarget {
  kind: 'url'
  url: string
}
export interface Plan {
  name: string
  description?: string
  target: KubeTarget | LocalTarget | UrlTarget
  runs: PlanRun[]
  settings: Setting[]
  trials?: number
  cooldownS?: number
  rateScale?: number
  timeScale?: number
  token?: string
}

function bad(field: string, msg: string): LoadtestError {
  return configError('LOADTEST_BAD_PLAN', `plan ${field}: ${msg}`, { field })
}

function posInt(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw bad(field, `expected an integer >= 1, got ${JSON.stringify(v)}`)
  return v
}

export function validatePlan(raw: unknown): Plan {
  if (!raw || typeof raw !== 'object') throw bad('', 'expected a JSON object')
  const p = raw as Record<string, unknown>
  if (typeof p.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(p.name))
    throw bad('name', 'expected a name of letters, digits, . _ -')
  const t = p.target as Record<string, unknown> | undefined
  if (!t || (t.kind !== 'kubernetes' && t.kind !== 'local' && t.kind !== 'url'))
    throw bad('target.kind', 'expected "kubernetes", "local" or "url"')
  if (t.kind === 'url' && (typeof t.url !== 'string' || !/^https?:\/\//.test(t.url)))
    throw bad('target.url', 'expected an http(s) URL')
  if (t.kind === 'kubernetes') {
    if (typeof t.url !== 'string') throw bad('target.url', 'expected the API URL')
    if (typeof t.namespace !== 'string') throw bad('target.namespace', 'expected a namespace')
    const d = t.deployments as Record<string, unknown> | undefined
    if (!d || typeof d.api !== 'string' || typeof d.solver !== 'string')
      throw bad('target.deployments', 'expected {api, solver} deployment names')
    if (
      t.fixedReplicas !== undefined &&
      t.fixedReplicas !== 'hpa-min-max' &&
      t.fixedReplicas !== 'remove-hpa'
    )
      throw bad('target.fixedReplicas', 'expected "hpa-min-max" or "remove-hpa"')
  }
  if (!Array.isArray(p.runs) || p.runs.length === 0)
    throw bad('runs', 'expected a non-empty array of {endpoint, profile}')
  const runs = p.runs.map((r: Record<string, unknown>, i: number) => {
    try {
      const endpoint = checkEndpoint(String(r?.endpoint))
      loadScenario(String(r?.profile), endpoint)
      return { endpoint, profile: String(r.profile) }
    } catch (e) {
      throw bad(`runs[${i}]`, (e as Error).message)
    }
  })
  if (!Array.isArray(p.settings) || p.settings.length === 0)
    throw bad('settings', 'expected a non-empty array')
  const names = new Set<string>()
  const settings = p.settings.map((s: Record<string, unknown>, i: number) => {
    if (!s || typeof s.name !== 'string' || !/^[A-Za-z0-9._-]+$/.test(s.name))
      throw bad(`settings[${i}].name`, 'expected a name of letters, digits, . _ -')
    if (names.has(s.name)) throw bad(`settings[${i}].name`, `duplicate "${s.name}"`)
    names.add(s.name)
    const role = (r: unknown, f: string): RoleSetting | undefined => {
      if (r === undefined) return undefined
      if (!r || typeof r !== 'object') throw bad(f, 'expected an object')
      const o = r as Record<string, unknown>
      for (const k of Object.keys(o))
        if (
          !['replicas', 'cpuRequest', 'targetUtilization', 'minReplicas', 'maxReplicas'].includes(k)
        )
          throw bad(`${f}.${k}`, 'unknown key')
      if (
        o.cpuRequest !== undefined &&
        (typeof o.cpuRequest !== 'string' || !/^\d+(\.\d+)?m?$/.test(o.cpuRequest))
      )
        throw bad(`${f}.cpuRequest`, 'expected e.g. "500m" or "1"')
      const tu = o.targetUtilization
      if (tu !== undefined && (typeof tu !== 'number' || tu <= 0 || tu > 100))
        throw bad(`${f}.targetUtilization`, 'expected a percentage in (0, 100]')
      const out: RoleSetting = {
        replicas: posInt(o.replicas, `${f}.replicas`),
        cpuRequest: o.cpuRequest as string | undefined,
        targetUtilization: tu as number | undefined,
        minReplicas: posInt(o.minReplicas, `${f}.minReplicas`),
        maxReplicas: posInt(o.maxReplicas, `${f}.maxReplicas`),
      }
      if (out.replicas && (out.minReplicas || out.maxReplicas))
        throw bad(f, 'replicas (fixed) excludes minReplicas/maxReplicas')
      return Object.fromEntries(
        Object.entries(out).filter(([, v]) => v !== undefined),
      ) as RoleSetting
    }
    return {
      name: s.name,
      api: role(s.api, `settings[${i}].api`),
      solver: role(s.solver, `settings[${i}].solver`),
    }
  })
  const num = (v: unknown, f: string, min: number) => {
    if (v === undefined) return undefined
    if (typeof v !== 'number' || !(v >= min)) throw bad(f, `expected a number >= ${min}`)
    return v
  }
  return {
    name: p.name,
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    target: t as unknown as Plan['target'],
    runs,
    settings,
    trials: posInt(p.trials, 'trials') ?? 3,
    cooldownS: num(p.cooldownS, 'cooldownS', 0) ?? 60,
    rateScale: num(p.rateScale, 'rateScale', 1e-9) ?? 1,
    timeScale: num(p.timeScale, 'timeScale', 1e-9) ?? 1,
  }
}

export function loadPlan(path: string): Plan {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    throw configError('LOADTEST_BAD_PLAN', `plan file not readable: ${path}`, { field: 'plan' })
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (e) {
    throw configError('LOADTEST_BAD_PLAN', `plan ${path} is not JSON: ${(e as Error).message}`, {
      field: 'plan',
    })
  }
  return validatePlan(raw)
}

/** Runs a command and returns its stdout (or, in a dry run, prints it). */
export type Exec = (argv: string[], opts?: { input?: string; query?: boolean }) => Promise<string>

export function realExec(log: (l: string) => void): Exec {
  return (argv, opts) =>
    new Promise((resolve, reject) => {
      if (!opts?.query) log(`$ ${argv.map(shellQuote).join(' ')}`)
      const child = execFile(argv[0], argv.slice(1), { maxBuffer: 16 * 2 ** 20 }, (e, out, err) => {
        if (e)
          reject(
            new LoadtestError(
              'LOADTEST_COMMAND_FAILED',
              `${argv.slice(0, 4).join(' ')} ...: ${
                String(err || e.message)
                  .trim()
                  .split('\n')[0]
              }`,
              {
                exitCode: EXIT.SETUP_FAILED,
              },
            ),
          )
        else resolve(out)
      })
      child.stdin?.end(opts?.input ?? '')
    })
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

interface Saved {
  hpa: Record<string, { name: string; json: Record<string, unknown> }>
  cpu: Record<string, string | undefined>
  replicas: Record<string, number | undefined>
  argoAutomated?: string
}

type Role = 'api' | 'solver'
const ROLES: Role[] = ['api', 'solver']

export class KubeController {
  readonly saved: Saved = { hpa: {}, cpu: {}, replicas: {} }
  constructor(
    readonly t: KubeTarget,
    readonly exec: Exec,
    readonly log: (l: string) => void,
    readonly dry = false,
  ) {}

  k(...args: string[]): string[] {
    return [
      'kubectl',
      ...(this.t.context ? ['--context', this.t.context] : []),
      '-n',
      this.t.namespace,
      ...args,
    ]
  }
  argo(...args: string[]): string[] {
    const a = this.t.argocd!
    return [
      'kubectl',
      ...(this.t.context ? ['--context', this.t.context] : []),
      '-n',
      a.namespace,
      ...args,
    ]
  }

  async save(): Promise<void> {
    for (const role of ROLES) {
      const dep = this.t.deployments[role]
      const out = await this.exec(this.k('get', 'deployment', dep, '-o', 'json'), { query: true })
      if (!this.dry) {
        const d = JSON.parse(out) as {
          spec?: {
            replicas?: number
            template?: {
              spec?: {
                containers?: { name: string; resources?: { requests?: { cpu?: string } } }[]
              }
            }
          }
        }
        const cs = d.spec?.template?.spec?.containers ?? []
        const c = cs.find((x) => x.name === this.t.containers?.[role]) ?? cs[0]
        this.saved.cpu[role] = c?.resources?.requests?.cpu
        this.saved.replicas[role] = d.spec?.replicas
      }
      const hpa = this.t.hpa?.[role]
      if (hpa) {
        const h = await this.exec(this.k('get', 'hpa', hpa, '-o', 'json'), { query: true })
        this.saved.hpa[role] = {
          name: hpa,
          json: this.dry ? {} : (JSON.parse(h) as Record<string, unknown>),
        }
      }
    }
    if (this.t.argocd) {
      const a = await this.exec(
        this.argo(
          'get',
          'application',
          this.t.argocd.application,
          '-o',
          'jsonpath={.spec.syncPolicy.automated}',
        ),
        { query: true },
      )
      this.saved.argoAutomated = a.trim()
    }
  }

  async pauseArgo(): Promise<void> {
    if (!this.t.argocd) return
    this.log(`pausing Argo CD automated sync of ${this.t.argocd.application}`)
    await this.exec(
      this.argo(
        'patch',
        'application',
        this.t.argocd.application,
        '--type',
        'merge',
        '-p',
        '{"spec":{"syncPolicy":{"automated":null}}}',
      ),
    )
  }

  async apply(s: Setting): Promise<void> {
    for (const role of ROLES) {
      const r = s[role]
      if (!r) continue
      const dep = this.t.deployments[role]
      const hpa = this.t.hpa?.[role]
      if (r.cpuRequest) {
        const c = this.t.containers?.[role]
        await this.exec(
          this.k(
            'set',
            'resources',
            `deployment/${dep}`,
            ...(c ? ['-c', c] : []),
            `--requests=cpu=${r.cpuRequest}`,
          ),
        )
      }
      if (r.replicas !== undefined) {
        if (hpa && (this.t.fixedReplicas ?? 'hpa-min-max') === 'hpa-min-max') {
          await this.exec(
            this.k(
              'patch',
              'hpa',
              hpa,
              '--type',
              'merge',
              '-p',
              JSON.stringify({ spec: { minReplicas: r.replicas, maxReplicas: r.replicas } }),
            ),
          )
        } else {
          if (hpa) await this.exec(this.k('delete', 'hpa', hpa, '--ignore-not-found'))
          await this.exec(this.k('scale', `deployment/${dep}`, `--replicas=${r.replicas}`))
        }
      }
      if (
        hpa &&
        (r.targetUtilization !== undefined ||
          r.minReplicas !== undefined ||
          r.maxReplicas !== undefined)
      ) {
        const spec: Record<string, unknown> = {}
        if (r.minReplicas !== undefined) spec.minReplicas = r.minReplicas
        if (r.maxReplicas !== undefined) spec.maxReplicas = r.maxReplicas
        if (r.targetUtilization !== undefined)
          spec.metrics = [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: r.targetUtilization },
              },
            },
          ]
        await this.exec(
          this.k('patch', 'hpa', hpa, '--type', 'merge', '-p', JSON.stringify({ spec })),
        )
      }
    }
  }

  async waitReady(s: Setting): Promise<void> {
    const t = this.t
    for (const role of ROLES) {
      const dep = t.deployments[role]
      await this.exec(
        this.k('rollout', 'status', `deployment/${dep}`, `--timeout=${t.rolloutTimeoutS ?? 600}s`),
      )
      const want = s[role]?.replicas
      if (this.dry) {
        this.log(
          `# then poll ${this.k('get', 'deployment', dep, '-o', 'jsonpath=...').join(' ')} until spec = ready = updated replicas${want ? ` = ${want}` : ''} for ${t.settleChecks ?? 3} polls`,
        )
        continue
      }
      const checks = t.settleChecks ?? 3
      const interval = (t.settleIntervalS ?? 5) * 1000
      const deadline = Date.now() + (t.settleTimeoutS ?? 600) * 1000
      let stable = 0
      let last = ''
      while (stable < checks) {
        const out = (
          await this.exec(
            this.k(
              'get',
              'deployment',
              dep,
              '-o',
              'jsonpath={.spec.replicas} {.status.readyReplicas} {.status.updatedReplicas}',
            ),
            { query: true },
          )
        ).trim()
        const [spec, ready, updated] = out.split(/\s+/).map((x) => Number(x || 0))
        const ok = spec === ready && ready === updated && (want === undefined || spec === want)
        stable = ok && (last === '' || last === out) ? stable + 1 : 0
        last = ok ? out : ''
        if (stable >= checks) break
        if (Date.now() > deadline)
          throw new LoadtestError(
            'LOADTEST_NOT_SETTLED',
            `deployment ${dep} did not settle (spec/ready/updated ${out}${want ? `, want ${want}` : ''})`,
            { exitCode: EXIT.SETUP_FAILED },
          )
        await new Promise((r) => setTimeout(r, interval))
      }
      this.log(`${dep}: settled at ${last.split(' ')[0]} replicas`)
    }
  }

  /** Put back every HPA, CPU request, replica count and Argo CD's sync policy. */
  async restore(): Promise<void> {
    const errors: string[] = []
    const attempt = async (argv: string[], input?: string) => {
      try {
        await this.exec(argv, input === undefined ? undefined : { input })
      } catch (e) {
        errors.push((e as Error).message)
      }
    }
    for (const role of ROLES) {
      const dep = this.t.deployments[role]
      const cpu = this.saved.cpu[role]
      const c = this.t.containers?.[role]
      if (cpu || this.dry)
        await attempt(
          this.k(
            'set',
            'resources',
            `deployment/${dep}`,
            ...(c ? ['-c', c] : []),
            `--requests=cpu=${cpu ?? '<saved>'}`,
          ),
        )
      const h = this.saved.hpa[role]
      if (h) {
        if ((this.t.fixedReplicas ?? 'hpa-min-max') === 'remove-hpa') {
          await attempt(this.k('apply', '-f', '-'), JSON.stringify(cleanManifest(h.json)))
        } else {
          const spec = (h.json.spec ?? {}) as Record<string, unknown>
          const patch = this.dry
            ? { spec: { minReplicas: '<saved>', maxReplicas: '<saved>', metrics: '<saved>' } }
            : {
                spec: {
                  minReplicas: spec.minReplicas,
                  maxReplicas: spec.maxReplicas,
                  metrics: spec.metrics ?? null,
                },
              }
          await attempt(
            this.k('patch', 'hpa', h.name, '--type', 'merge', '-p', JSON.stringify(patch)),
          )
        }
      } else if (this.saved.replicas[role] !== undefined) {
        await attempt(
          this.k('scale', `deployment/${dep}`, `--replicas=${this.saved.replicas[role]}`),
        )
      }
    }
    if (this.t.argocd) {
      const a = this.saved.argoAutomated
      if (a || this.dry) {
        this.log(`restoring Argo CD automated sync of ${this.t.argocd.application}`)
        const automated = this.dry ? '<saved>' : JSON.parse(a as string)
        await attempt(
          this.argo(
            'patch',
            'application',
            this.t.argocd.application,
            '--type',
            'merge',
            '-p',
            JSON.stringify({ spec: { syncPolicy: { automated } } }),
          ),
        )
      }
    }
    if (errors.length)
      throw new LoadtestError(
        'LOADTEST_RESTORE_FAILED',
        `restoring the cluster failed: ${errors.join('; ')}`,
        { exitCode: EXIT.SETUP_FAILED },
      )
  }
}

function cleanManifest(j: Record<string, unknown>): Record<string, unknown> {
  const m = { ...(j.metadata as Record<string, unknown>) }
  for (const k of [
    'resourceVersion',
    'uid',
    'creationTimestamp',
    'managedFields',
    'generation',
    'selfLink',
  ])
    delete m[k]
  const out = { ...j, metadata: m }
  delete (out as Record<string, unknown>).status
  return out
}

export interface ExperimentOptions {
  plan: Plan
  outDir: string
  dryRun?: boolean
  exec?: Exec
  log?: (l: string) => void
  token?: string
  signal?: AbortSignal
  /** path of the rere CLI launcher (local target) */
  rereBin?: string
}

export interface ExperimentIndex {
  plan: string
  createdAt: string
  complete: boolean
  results: {
    setting: string
    endpoint: string
    profile: string
    dir: string
    thresholdsCrossed: boolean
    complete: boolean
  }[]
}

export async function runExperiment(o: ExperimentOptions): Promise<ExperimentIndex> {
  const { plan } = o
  const log = o.log ?? ((l: string) => console.error(l))
  const exec: Exec =
    o.exec ??
    (o.dryRun
      ? async (argv, opts) => {
          log(
            `${opts?.query ? '# query: ' : ''}${argv.map(shellQuote).join(' ')}${opts?.input !== undefined ? ' <<< <saved manifest>' : ''}`,
          )
          return ''
        }
      : realExec(log))
  const root = join(o.outDir, plan.name)
  const index: ExperimentIndex = {
    plan: plan.name,
    createdAt: new Date().toISOString(),
    complete: false,
    results: [],
  }
  if (!o.dryRun) mkdirSync(root, { recursive: true })
  const save = () => {
    if (!o.dryRun) writeFileSync(join(root, 'experiment.json'), JSON.stringify(index, null, 2))
  }
  const trialsFor = async (url: string, setting: Setting) => {
    for (const r of plan.runs) {
      if (o.signal?.aborted) return
      const dir = join(root, setting.name, `${r.endpoint}-${r.profile}`)
      const { name, scenario } = loadScenario(r.profile, r.endpoint)
      const sc = scaleScenario(scenario, { rateScale: plan.rateScale, timeScale: plan.timeScale })
      if (o.dryRun) {
        log(
          `rere loadtest run --url ${url} --endpoint ${r.endpoint} --profile ${r.profile} --trials ${plan.trials} --cooldown ${plan.cooldownS} --rate-scale ${plan.rateScale} --time-scale ${plan.timeScale} --out-dir ${dir}`,
        )
        continue
      }
      log(`setting ${setting.name}: ${r.endpoint} ${r.profile}`)
      const m: RunManifest = await runTrials({
        url,
        token: o.token ?? plan.token,
        endpoint: r.endpoint,
        profileName: name,
        scenario: sc,
        trials: plan.trials ?? 3,
        cooldownS: plan.cooldownS ?? 60,
        outDir: dir,
        log,
        signal: o.signal,
        progress: process.stderr.isTTY ? process.stderr : false,
        meta: { plan: plan.name, setting },
      })
      if (m.trials.length) {
        const rep = await loadRun([dir], { allowPartial: !m.complete })
        writeReport(rep, dir)
      }
      index.results.push({
        setting: setting.name,
        endpoint: r.endpoint,
        profile: r.profile,
        dir,
        thresholdsCrossed: m.trials.some((t) => t.result.thresholdsCrossed),
        complete: m.complete,
      })
      save()
    }
  }

  if (plan.target.kind === 'kubernetes') {
    const kc = new KubeController(plan.target, exec, log, !!o.dryRun)
    await kc.save()
    let failure: unknown
    try {
      await kc.pauseArgo()
      for (const s of plan.settings) {
        if (o.signal?.aborted) break
        log(`== setting ${s.name}`)
        await kc.apply(s)
        await kc.waitReady(s)
        await trialsFor(plan.target.url, s)
      }
    } catch (e) {
      failure = e
    }
    // always put the cluster back; a restore problem after a failure is logged, not masking it
    try {
      await kc.restore()
    } catch (e) {
      if (failure === undefined) throw e
      log((e as Error).message)
    }
    if (failure !== undefined) throw failure
  } else if (plan.target.kind === 'url') {
    for (const s of plan.settings) {
      if (o.signal?.aborted) break
      log(`== setting ${s.name} (target ${plan.target.url} as it is)`)
      await trialsFor(plan.target.url, s)
    }
  } else {
    const t = plan.target
    for (const s of plan.settings) {
      if (o.signal?.aborted) break
      log(
        `== setting ${s.name} (local: api ${s.api?.replicas ?? 1} / solver ${s.solver?.replicas ?? 1} worker processes)`,
      )
      const local = await startLocal(t, s, { dry: !!o.dryRun, log, rereBin: o.rereBin })
      try {
        await trialsFor(`http://127.0.0.1:${t.apiPort ?? 18080}`, s)
      } finally {
        await local.stop()
      }
    }
  }
  index.complete = !o.signal?.aborted
  save()
  if (!o.dryRun && index.results.length) {
    const parts = [`# Experiment ${plan.name}`, '', plan.description ?? '', '']
    for (const r of index.results) {
      const run = await loadRun([r.dir], {
        allowPartial: !r.complete,
        label: `${r.setting} ${r.endpoint} ${r.profile}`,
      })
      parts.push(
        `## ${r.setting}: ${r.endpoint} ${r.profile}`,
        '',
        summaryMarkdown(run)
          .split('\n')
          .filter((l) => l.startsWith('|'))
          .join('\n'),
        '',
      )
    }
    writeFileSync(join(root, 'summary.md'), parts.join('\n'))
  }
  return index
}

const CLUSTER = fileURLToPath(new URL('./cluster.ts', import.meta.url))
const RERE_BIN = fileURLToPath(new URL('../../../apps/cli/bin/rere.mjs', import.meta.url))

/** Command lines of the local target for a setting (the dry run prints them). */
export function localCommands(t: LocalTarget, s: Setting, rereBin = RERE_BIN) {
  const solverPort = t.solverPort ?? 18081
  const apiPort = t.apiPort ?? 18080
  const db = t.databaseUrl ?? 'postgres://postgres@127.0.0.1:6432/test'
  const direct = t.databaseDirectUrl ?? 'postgres://postgres@127.0.0.1:5432/test'
  const node = process.execPath
  return {
    solver: {
      argv: [
        node,
        '--import',
        'tsx',
        CLUSTER,
        '--workers',
        String(s.solver?.replicas ?? 1),
        '--',
        rereBin,
        'solver',
      ],
      env: { PORT: String(solverPort), HOST: '127.0.0.1', SOLVER_WORKERS: '1', LOG_LEVEL: 'warn' },
    },
    api: {
      argv: [
        node,
        '--import',
        'tsx',
        CLUSTER,
        '--workers',
        String(s.api?.replicas ?? 1),
        '--',
        rereBin,
        'api',
      ],
      env: {
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        DATABASE_URL: db,
        DATABASE_DIRECT_URL: direct,
        MIGRATE_ON_START: 'true',
        SOLVER_URL: `http://127.0.0.1:${solverPort}`,
        LOG_LEVEL: 'warn',
      },
    },
    readyUrl: `http://127.0.0.1:${apiPort}/api/ready/`,
    solverReadyUrl: `http://127.0.0.1:${solverPort}/readyz`,
  }
}

async function startLocal(
  t: LocalTarget,
  s: Setting,
  o: { dry: boolean; log: (l: string) => void; rereBin?: string },
) {
  const c = localCommands(t, s, o.rereBin)
  const fmt = (x: { argv: string[]; env: Record<string, string> }) =>
    `${Object.entries(x.env)
      .map(([k, v]) => `${k}=${shellQuote(v)}`)
      .join(' ')} ${x.argv.map(shellQuote).join(' ')}`
  if (o.dry) {
    o.log(`$ ${fmt(c.solver)} &`)
    o.log(`$ ${fmt(c.api)} &`)
    o.log(`# wait for ${c.solverReadyUrl} before starting the API, then for ${c.readyUrl}`)
    return { stop: async () => o.log('# stop both (SIGTERM)') }
  }
  const procs: ChildProcess[] = []
  const allListening: boolean[] = []
  const start = (x: { argv: string[]; env: Record<string, string> }) => {
    o.log(`$ ${fmt(x)}`)
    const p = spawn(x.argv[0], x.argv.slice(1), {
      env: { ...process.env, ...x.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const i = procs.push(p) - 1
    allListening[i] = false
    p.stderr!.on('data', (d: Buffer) => {
      const text = d.toString()
      if (/cluster: \d+ workers listening/.test(text)) allListening[i] = true
      process.stderr.write(text)
    })
    return p
  }
  const stop = async () => {
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((r) => {
            if (p.exitCode !== null || p.signalCode !== null) return r()
            const k = setTimeout(() => p.kill('SIGKILL'), 15_000)
            p.once('exit', () => (clearTimeout(k), r()))
            p.kill('SIGTERM')
          }),
      ),
    )
  }
  /** `times` consecutive 200s (new connections: the cluster spreads them over the workers) */
  const waitFor = async (url: string, what: string, times: number) => {
    const deadline = Date.now() + (t.readyTimeoutS ?? 120) * 1000
    const me = procs.length - 1
    let ok = 0
    for (;;) {
      // first every worker process listens (the launcher says so), then `times` 200s in a row
      if (allListening[me]) {
        try {
          const r = await fetch(url, {
            signal: AbortSignal.timeout(2000),
            headers: { connection: 'close' },
          })
          await r.arrayBuffer()
          ok = r.status === 200 ? ok + 1 : 0
          if (ok >= times) return
          if (ok > 0) continue
        } catch {
          ok = 0
        }
      }
      if (Date.now() > deadline || procs.some((p) => p.exitCode !== null)) {
        await stop()
        throw new LoadtestError(
          'LOADTEST_LOCAL_START_FAILED',
          `local target: ${what} not ready at ${url}`,
          {
            exitCode: EXIT.SETUP_FAILED,
          },
        )
      }
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  // the solver first: the API's warm-up solve needs it
  start(c.solver)
  await waitFor(c.solverReadyUrl, 'the solver', 2 * (s.solver?.replicas ?? 1))
  start(c.api)
  await waitFor(c.readyUrl, 'the API', 2 * (s.api?.replicas ?? 1))
  return { stop }
}
