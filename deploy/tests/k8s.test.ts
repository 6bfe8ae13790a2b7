/**
 * Kubernetes manifests (deploy/k8s): every overlay rendered with the real `kubectl kustomize`,
 * validated against Kubernetes / CRD schemas, then checked against the deployment's rules
 * (issue 7, item 3-5): resources, probes, restricted securityContext, HPA and PDB rules,
 * Services and references that resolve, Traefik routes and the network policies as an
 * allow/deny matrix.
 */
import { execFile } from 'node:child_process'
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { apiConfigVariables, loadApiConfig } from '../../apps/api/src/config.ts'
import { loadSolverConfig, solverConfigVariables } from '../../apps/solver-service/src/config.ts'
import { knownContainerFields, validateK8s } from './lib/k8s-schema.ts'
import { PolicySet, type Endpoint, type PodEndpoint } from './lib/netpol.ts'
import {
  allContainers,
  byKind,
  find,
  k8sDir,
  kustomize,
  matchLabels,
  parseEnvFile,
  parseYamlDocs,
  podSpec,
  workloads,
  type Obj,
} from './lib/render.ts'
import { ingressRouteSchema, middlewareSchema, parseRule } from './lib/traefik-v3.ts'

const run = promisify(execFile)
const overlays = ['overlays/k3s-pi', 'overlays/generic', 'overlays/k3s-pi-experiment']
const ajv = new Ajv({ allErrors: true, strict: false })
const checkMiddleware = ajv.compile(middlewareSchema)
const checkIngressRoute = ajv.compile(ingressRouteSchema)

const longRunning = (objs: Obj[]) => workloads(objs).filter((w) => w.kind !== 'Job')
const name = (o: Obj) => `${o.kind}/${o.metadata.name}`

function configMapData(objs: Obj[], cm: string): Record<string, string> {
  const o = find(objs, 'ConfigMap', cm)
  if (!o) throw new Error(`ConfigMap ${cm} missing`)
  return o.data
}

function secretData(objs: Obj[], s: string): Record<string, string> {
  const o = find(objs, 'Secret', s)
  if (!o) throw new Error(`Secret ${s} missing`)
  return Object.fromEntries(
    Object.entries<string>(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
  )
}

/** The environment a container sees from envFrom + env (ConfigMaps and Secrets resolved). */
function containerEnv(objs: Obj[], c: Obj): Record<string, string> {
  const env: Record<string, string> = {}
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef) Object.assign(env, configMapData(objs, f.configMapRef.name))
    if (f.secretRef) Object.assign(env, secretData(objs, f.secretRef.name))
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value
    else if (e.valueFrom?.secretKeyRef)
      env[e.name] = secretData(objs, e.valueFrom.secretKeyRef.name)[e.valueFrom.secretKeyRef.key]
    else if (e.valueFrom?.configMapKeyRef)
      env[e.name] = configMapData(objs, e.valueFrom.configMapKeyRef.name)[
        e.valueFrom.configMapKeyRef.key
      ]
  }
  return env
}

function preStopSleepSeconds(c: Obj): number {
  const cmd: string[] | undefined = c.lifecycle?.preStop?.exec?.command
  if (cmd && cmd[0] === 'sleep') return Number(cmd[1])
  if (c.lifecycle?.preStop?.sleep) return Number(c.lifecycle.preStop.sleep.seconds)
  return 0
}

for (const overlay of overlays) {
  describe(`kustomize ${overlay}`, () => {
    const objs = kustomize(overlay)

    it('renders and every object validates against its schema', () => {
      expect(objs.length).toBeGreaterThan(30)
      const errors: string[] = []
      for (const o of objs) {
        try {
          validateK8s(o)
        } catch (e) {
          errors.push((e as Error).message)
        }
      }
      expect(errors).toEqual([])
    })

    it('Traefik objects pass the strict v3 schemas and v3 rule syntax', () => {
      const errors: string[] = []
      for (const m of byKind(objs, 'Middleware'))
        if (!checkMiddleware(m))
          errors.push(`${name(m)}: ${ajv.errorsText(checkMiddleware.errors)}`)
      for (const r of byKind(objs, 'IngressRoute')) {
        if (!checkIngressRoute(r))
          errors.push(`${name(r)}: ${ajv.errorsText(checkIngressRoute.errors)}`)
        for (const route of r.spec.routes) {
          try {
            parseRule(route.match)
          } catch (e) {
            errors.push(`${name(r)}: ${(e as Error).message}`)
          }
        }
      }
      expect(errors).toEqual([])
      expect(byKind(objs, 'IngressRoute').length).toBeGreaterThanOrEqual(2)
    })

    it('namespace enforces Pod Security "restricted" and holds every namespaced object', () => {
      const ns = find(objs, 'Namespace', 'rere')
      expect(ns?.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted')
      const clusterScoped = ['Namespace', 'StorageClass', 'PersistentVolume', 'ClusterIssuer']
      for (const o of objs)
        if (!clusterScoped.includes(o.kind)) expect(o.metadata.namespace, name(o)).toBe('rere')
    })

    it('every container has requests, limits, probes and the restricted securityContext', () => {
      for (const w of workloads(objs)) {
        const pod = podSpec(w)
        expect(pod.hostNetwork ?? false, name(w)).toBe(false)
        expect(pod.hostPID ?? false, name(w)).toBe(false)
        expect(pod.automountServiceAccountToken, name(w)).toBe(false)
        for (const v of pod.volumes ?? []) expect(v.hostPath, `${name(w)} hostPath`).toBeUndefined()
        for (const c of allContainers(w)) {
          const id = `${name(w)}/${c.name}`
          for (const k of Object.keys(c))
            expect(knownContainerFields.has(k), `${id}: field ${k}`).toBe(true)
          for (const r of ['cpu', 'memory']) {
            expect(c.resources?.requests?.[r], `${id} requests.${r}`).toBeDefined()
            expect(c.resources?.limits?.[r], `${id} limits.${r}`).toBeDefined()
          }
          const sc = c.securityContext ?? {}
          expect(sc.allowPrivilegeEscalation, `${id} allowPrivilegeEscalation`).toBe(false)
          expect(sc.privileged ?? false, id).toBe(false)
          expect(sc.readOnlyRootFilesystem, `${id} readOnlyRootFilesystem`).toBe(true)
          expect(sc.capabilities?.drop, `${id} drop ALL`).toContain('ALL')
          expect(sc.capabilities?.add ?? [], id).toEqual([])
          expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, `${id} runAsNonRoot`).toBe(
            true,
          )
          const uid = sc.runAsUser ?? pod.securityContext?.runAsUser
          expect(uid, `${id} numeric non-root uid`).toBeGreaterThan(0)
          expect(
            (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type,
            `${id} seccomp`,
          ).toBe('RuntimeDefault')
          expect(c.image, id).toMatch(/:[\w.-]+$/)
          expect(c.image, id).not.toMatch(/:latest$/)
          // a read-only root needs a writable /tmp (tsx's cache, nginx, Postgres sockets)
          expect(
            (c.volumeMounts ?? []).some((m: Obj) => m.mountPath === '/tmp'),
            `${id} /tmp`,
          ).toBe(w.metadata.name !== 'oauth2-proxy' && w.metadata.name !== 'cloudflared')
          if (w.kind !== 'Job') {
            for (const p of ['startupProbe', 'readinessProbe', 'livenessProbe'])
              expect(c[p], `${id} ${p}`).toBeDefined()
          }
        }
      }
    })

    it('API and solver: liveness independent of the database, preStop sleep, grace > sleep + drain', () => {
      for (const [dep, ready, live] of [
        ['api', '/api/ready/', '/api/status/'],
        ['solver', '/readyz', '/healthz'],
      ]) {
        const w = find(objs, 'Deployment', dep)!
        const c = podSpec(w).containers[0]
        expect(c.readinessProbe.httpGet.path).toBe(ready)
        expect(c.livenessProbe.httpGet.path).toBe(live)
        expect(c.startupProbe.httpGet.path).toBe(live)
        const sleep = preStopSleepSeconds(c)
        expect(sleep).toBeGreaterThanOrEqual(3)
        const drain = Number(containerEnv(objs, c).SHUTDOWN_GRACE_MS) / 1000
        expect(drain).toBeGreaterThan(0)
        expect(podSpec(w).terminationGracePeriodSeconds).toBeGreaterThan(sleep + drain)
      }
      // every long-running pod that serves traffic sleeps before SIGTERM
      for (const w of longRunning(objs))
        if (['api', 'solver', 'web', 'pgbouncer'].includes(w.metadata.name))
          expect(preStopSleepSeconds(podSpec(w).containers[0]), name(w)).toBeGreaterThan(0)
    })

    it('Deployments spread over nodes with ScheduleAnyway', () => {
      for (const name of ['api', 'solver', 'web']) {
        const w = find(objs, 'Deployment', name)!
        const t = podSpec(w).topologySpreadConstraints
        expect(t, name).toHaveLength(1)
        expect(t[0].whenUnsatisfiable).toBe('ScheduleAnyway')
        expect(t[0].topologyKey).toBe('kubernetes.io/hostname')
        expect(matchLabels(t[0].labelSelector.matchLabels, w.spec.template.metadata.labels)).toBe(
          true,
        )
      }
    })

    it('HPAs (autoscaling/v2, CPU) target existing Deployments that set no replicas', () => {
      const hpas = byKind(objs, 'HorizontalPodAutoscaler')
      expect(hpas.map((h) => h.metadata.name).sort()).toEqual(['api', 'solver'])
      for (const h of hpas) {
        expect(h.apiVersion).toBe('autoscaling/v2')
        const ref = h.spec.scaleTargetRef
        const target = objs.find((o) => o.kind === ref.kind && o.metadata.name === ref.name)
        expect(target, `${h.metadata.name} target`).toBeDefined()
        expect(target!.spec.replicas, `${ref.name} must leave replicas to the HPA`).toBeUndefined()
        expect(h.spec.metrics).toEqual([
          expect.objectContaining({
            type: 'Resource',
            resource: expect.objectContaining({
              name: 'cpu',
              target: expect.objectContaining({ type: 'Utilization' }),
            }),
          }),
        ])
        for (const c of podSpec(target!).containers) expect(c.resources.requests.cpu).toBeDefined()
        expect(h.spec.minReplicas).toBeLessThanOrEqual(h.spec.maxReplicas)
        const window = h.spec.behavior.scaleDown.stabilizationWindowSeconds
        expect(window).toBe(overlay.endsWith('experiment') ? 30 : 300)
      }
    })

    it('PDBs use maxUnavailable 1 and select pods', () => {
      const pods = workloads(objs).map((w) => w.spec.template.metadata.labels)
      const pdbs = byKind(objs, 'PodDisruptionBudget')
      expect(pdbs.length).toBeGreaterThanOrEqual(5)
      for (const p of pdbs) {
        expect(p.spec.maxUnavailable, p.metadata.name).toBe(1)
        expect(p.spec.minAvailable, p.metadata.name).toBeUndefined()
        expect(
          pods.some((l) => matchLabels(p.spec.selector.matchLabels, l)),
          p.metadata.name,
        ).toBe(true)
      }
    })

    it('Services select existing pods and their target ports exist', () => {
      for (const s of byKind(objs, 'Service')) {
        if (s.spec.clusterIP !== 'None')
          expect(s.spec.type ?? 'ClusterIP', s.metadata.name).toBe('ClusterIP')
        const ws = longRunning(objs).filter((w) =>
          matchLabels(s.spec.selector, w.spec.template.metadata.labels),
        )
        expect(ws.length, `Service ${s.metadata.name} selects nothing`).toBeGreaterThan(0)
        for (const p of s.spec.ports) {
          const ports = ws.flatMap((w) => podSpec(w).containers.flatMap((c: Obj) => c.ports ?? []))
          expect(
            ports.some((cp: Obj) => cp.name === p.targetPort || cp.containerPort === p.targetPort),
            `Service ${s.metadata.name} port ${p.targetPort}`,
          ).toBe(true)
        }
      }
      const sts = find(objs, 'StatefulSet', 'postgres')!
      expect(find(objs, 'Service', sts.spec.serviceName)?.spec.clusterIP).toBe('None')
    })

    it('every ConfigMap, Secret and key a pod refers to exists', () => {
      for (const w of workloads(objs)) {
        for (const c of allContainers(w)) expect(() => containerEnv(objs, c), name(w)).not.toThrow()
        for (const v of podSpec(w).volumes ?? []) {
          if (v.secret)
            expect(find(objs, 'Secret', v.secret.secretName), v.secret.secretName).toBeDefined()
          if (v.configMap)
            expect(find(objs, 'ConfigMap', v.configMap.name), v.configMap.name).toBeDefined()
        }
        for (const c of allContainers(w))
          for (const e of c.env ?? [])
            if (e.valueFrom?.secretKeyRef)
              expect(
                secretData(objs, e.valueFrom.secretKeyRef.name)[e.valueFrom.secretKeyRef.key],
                `${name(w)} ${e.name}`,
              ).toBeDefined()
      }
    })

    it("the API's and the solver's environment parses with the apps' own config schemas", () => {
      const api = podSpec(find(objs, 'Deployment', 'api')!).containers[0]
      const env = containerEnv(objs, api)
      const known = new Set(apiConfigVariables.map((v) => v.name))
      for (const k of Object.keys(env))
        expect(known.has(k), `api: unknown variable ${k}`).toBe(true)
      // the allowed-emails file comes from a Secret volume: point at the example's content
      const emailsMount = api.volumeMounts.find((m: Obj) =>
        env.AUTH_ALLOWED_EMAILS_FILE.startsWith(m.mountPath),
      )
      expect(emailsMount).toBeDefined()
      const tmp = join(process.env.TMPDIR ?? '/tmp', `rere-g-emails-${process.pid}.txt`)
      const vol = podSpec(find(objs, 'Deployment', 'api')!).volumes.find(
        (v: Obj) => v.name === emailsMount.name,
      )
      const file = env.AUTH_ALLOWED_EMAILS_FILE.slice(emailsMount.mountPath.length + 1)
      const content = secretData(objs, vol.secret.secretName)[file]
      expect(content).toContain('@')
      writeFileSync(tmp, content)
      const cfg = loadApiConfig({ ...env, AUTH_ALLOWED_EMAILS_FILE: tmp })
      expect(cfg.authMode).toBe('proxy')
      expect(cfg.port).toBe(8080)
      expect(cfg.host).toBe('0.0.0.0')
      expect(cfg.databaseUrl).toMatch(/@pgbouncer:6432\//)
      expect(cfg.databaseDirectUrl).toMatch(/@postgres:5432\//)
      expect(cfg.solverUrl).toBe('http://solver:8081')
      expect(cfg.trustedProxies.length).toBeGreaterThan(0)

      const migrate = podSpec(find(objs, 'Job', 'migrate')!).containers[0]
      const menv = containerEnv(objs, migrate)
      expect(menv.DATABASE_DIRECT_URL).toMatch(/@postgres:5432\//)
      expect(migrate.args).toEqual(['migrate'])

      const solver = podSpec(find(objs, 'Deployment', 'solver')!).containers[0]
      const senv = containerEnv(objs, solver)
      const sknown = new Set(solverConfigVariables.map((v) => v.name))
      for (const k of Object.keys(senv))
        expect(sknown.has(k), `solver: unknown variable ${k}`).toBe(true)
      const scfg = loadSolverConfig(senv) as unknown as Record<string, unknown>
      expect(scfg.port).toBe(8081)
      expect(solver.ports[0].containerPort).toBe(8081)
      expect(api.ports[0].containerPort).toBe(8080)
    })

    it('scrape annotations (Prometheus and Alloy) name a port the pod listens on', () => {
      const scraped: string[] = []
      for (const w of longRunning(objs)) {
        const a = w.spec.template.metadata.annotations ?? {}
        if (a['prometheus.io/scrape'] !== 'true') continue
        scraped.push(w.metadata.name)
        const ports = podSpec(w).containers.flatMap((c: Obj) =>
          (c.ports ?? []).map((p: Obj) => String(p.containerPort)),
        )
        expect(ports, name(w)).toContain(a['prometheus.io/port'])
        expect(a['k8s.grafana.com/scrape'], name(w)).toBe('true')
        expect(a['k8s.grafana.com/metrics.portNumber'], name(w)).toBe(a['prometheus.io/port'])
        expect(a['k8s.grafana.com/job'], name(w)).toBe(w.metadata.name)
      }
      expect(scraped).toEqual(expect.arrayContaining(['api', 'solver', 'oauth2-proxy']))
    })

    it('Traefik routes reach existing Services and middlewares; API routers strip or set identity', () => {
      const mws = new Set(byKind(objs, 'Middleware').map((m) => m.metadata.name))
      for (const r of byKind(objs, 'IngressRoute')) {
        for (const route of r.spec.routes) {
          for (const m of route.middlewares ?? []) expect(mws.has(m.name), m.name).toBe(true)
          for (const s of route.services) {
            const svc = find(objs, 'Service', s.name)
            expect(svc, s.name).toBeDefined()
            expect(svc!.spec.ports.some((p: Obj) => p.port === s.port)).toBe(true)
          }
          const names = (route.middlewares ?? []).map((m: Obj) => m.name)
          if (route.services.some((s: Obj) => s.name === 'api' || s.name === 'web')) {
            // identity either comes from the forwarder (which overwrites it) or is stripped;
            // /metrics is closed
            const bearer = /HeaderRegexp\(`Authorization`, `\^Bearer /.test(route.match)
            const ok =
              names.includes('oauth-forwarder') ||
              names.includes('internal-only') ||
              (bearer && names.includes('strip-identity')) ||
              (/Method\(`OPTIONS`\)/.test(route.match) && names.includes('api-cors'))
            expect(ok, `${r.metadata.name}: ${route.match}`).toBe(true)
          }
          // API clients never get the sign-in redirect
          if (route.services.some((s: Obj) => s.name === 'api'))
            expect(names, route.match).not.toContain('oauth-signin')
        }
      }
      const fwd = find(objs, 'Middleware', 'oauth-forwarder')!
      expect(fwd.spec.forwardAuth.address).toMatch(
        /oauth2-proxy\.rere\.svc\.cluster\.local:4180\/oauth2\/auth$/,
      )
      expect(fwd.spec.forwardAuth.authResponseHeaders).toContain('X-Auth-Request-Email')
      const signin = find(objs, 'Middleware', 'oauth-signin')!
      expect(signin.spec.errors.status).toEqual(['401'])
      const o2p = podSpec(find(objs, 'Deployment', 'oauth2-proxy')!).containers[0]
      for (const flag of [
        '--provider=google',
        '--reverse-proxy=true',
        '--set-xauthrequest=true',
        '--cookie-secure=true',
      ])
        expect(o2p.args).toContain(flag)
      const emails = o2p.args.find((a: string) => a.startsWith('--authenticated-emails-file='))
      expect(emails).toBeDefined()
      expect(o2p.volumeMounts.some((m: Obj) => emails.split('=')[1].startsWith(m.mountPath))).toBe(
        true,
      )
    })

    it('network policies: allow/deny matrix', () => {
      const set = new PolicySet(byKind(objs, 'NetworkPolicy'))
      let n = 0
      const pods: Record<string, PodEndpoint> = {}
      for (const w of workloads(objs)) {
        const named: Record<string, number> = {}
        for (const c of podSpec(w).containers)
          for (const p of c.ports ?? []) if (p.name) named[p.name] = p.containerPort
        pods[w.metadata.name] = {
          kind: 'pod',
          namespace: 'rere',
          labels: w.spec.template.metadata.labels,
          ip: `10.42.0.${++n}`,
          namedPorts: named,
        }
      }
      const traefik: Endpoint = {
        kind: 'pod',
        namespace: 'kube-system',
        labels: { 'app.kubernetes.io/name': 'traefik' },
        ip: '10.42.9.1',
      }
      const dns: Endpoint = {
        kind: 'pod',
        namespace: 'kube-system',
        labels: { 'k8s-app': 'kube-dns' },
        ip: '10.42.9.2',
        namedPorts: {},
      }
      const alloy: Endpoint = {
        kind: 'pod',
        namespace: 'monitoring',
        labels: { 'app.kubernetes.io/name': 'alloy' },
        ip: '10.42.9.3',
      }
      const stranger: Endpoint = {
        kind: 'pod',
        namespace: 'default',
        labels: { app: 'x' },
        ip: '10.42.9.4',
      }
      const google: Endpoint = { kind: 'external', ip: '142.250.74.46' }
      const cloudflare: Endpoint = { kind: 'external', ip: '198.41.192.7' }
      const lan: Endpoint = { kind: 'external', ip: '192.168.1.20' }
      const p = pods
      const allow: [string, Endpoint, Endpoint, number, string?][] = [
        ['traefik -> web', traefik, p.web, 8080],
        ['traefik -> api', traefik, p.api, 8080],
        ['traefik -> oauth2-proxy (forward-auth)', traefik, p['oauth2-proxy'], 4180],
        ['api -> pgbouncer', p.api, p.pgbouncer, 6432],
        ['api -> solver', p.api, p.solver, 8081],
        ['api -> DNS', p.api, dns, 53, 'UDP'],
        ['solver -> DNS (tcp)', p.solver, dns, 53],
        ['pgbouncer -> postgres', p.pgbouncer, p.postgres, 5432],
        ['migrate -> postgres', p.migrate, p.postgres, 5432],
        ['monitoring -> api metrics', alloy, p.api, 8080],
        ['monitoring -> solver metrics', alloy, p.solver, 8081],
        ['monitoring -> oauth2-proxy metrics', alloy, p['oauth2-proxy'], 44180],
        ['oauth2-proxy -> Google', p['oauth2-proxy'], google, 443],
      ]
      const deny: [string, Endpoint, Endpoint, number, string?][] = [
        ['traefik -> postgres', traefik, p.postgres, 5432],
        ['traefik -> pgbouncer', traefik, p.pgbouncer, 6432],
        ['traefik -> solver', traefik, p.solver, 8081],
        ['web -> api', p.web, p.api, 8080],
        ['web -> internet', p.web, google, 443],
        ['api -> postgres (bypassing PgBouncer)', p.api, p.postgres, 5432],
        ['api -> internet', p.api, google, 443],
        ['api -> oauth2-proxy', p.api, p['oauth2-proxy'], 4180],
        ['solver -> internet', p.solver, google, 443],
        ['solver -> pgbouncer', p.solver, p.pgbouncer, 6432],
        ['solver -> postgres', p.solver, p.postgres, 5432],
        ['solver -> api', p.solver, p.api, 8080],
        ['pgbouncer -> internet', p.pgbouncer, google, 443],
        ['postgres -> internet', p.postgres, google, 443],
        ['migrate -> pgbouncer', p.migrate, p.pgbouncer, 6432],
        ['migrate -> internet', p.migrate, google, 443],
        ['oauth2-proxy -> postgres', p['oauth2-proxy'], p.postgres, 5432],
        ['oauth2-proxy -> api', p['oauth2-proxy'], p.api, 8080],
        ['oauth2-proxy -> LAN', p['oauth2-proxy'], lan, 443],
        ['oauth2-proxy -> Google on port 80', p['oauth2-proxy'], google, 80],
        ['other namespace -> api', stranger, p.api, 8080],
        ['other namespace -> postgres', stranger, p.postgres, 5432],
        ['other namespace -> oauth2-proxy', stranger, p['oauth2-proxy'], 4180],
        ['monitoring -> postgres', alloy, p.postgres, 5432],
        ['monitoring -> pgbouncer', alloy, p.pgbouncer, 6432],
        ['traefik -> api on another port', traefik, p.api, 9229],
        ['api -> DNS outside kube-dns', p.api, traefik, 53, 'UDP'],
      ]
      if (p.cloudflared) {
        allow.push(['cloudflared -> Cloudflare edge', p.cloudflared, cloudflare, 7844, 'UDP'])
        allow.push(['cloudflared -> traefik websecure', p.cloudflared, traefik, 8443])
        deny.push(['cloudflared -> api (bypassing Traefik)', p.cloudflared, p.api, 8080])
        deny.push(['cloudflared -> postgres', p.cloudflared, p.postgres, 5432])
        deny.push(['cloudflared -> LAN', p.cloudflared, lan, 7844])
      }
      const wrong: string[] = []
      for (const [label, s, d, port, proto] of allow)
        if (!set.allowed(s, d, port, proto)) wrong.push(`should allow ${label}`)
      for (const [label, s, d, port, proto] of deny)
        if (set.allowed(s, d, port, proto)) wrong.push(`should deny ${label}`)
      expect(wrong).toEqual([])
      expect(allow.length + deny.length).toBeGreaterThan(35)

      // only the components that need the internet have a route out, and (Pi) run on the control node
      const internet = Object.entries(p).filter(([, ep]) =>
        [443, 7844].some((port) => set.egressAllowed(ep, google, port, 'TCP')),
      )
      const expected = p.cloudflared ? ['cloudflared', 'oauth2-proxy'] : ['oauth2-proxy']
      expect(internet.map(([n]) => n).sort()).toEqual(expected)
      for (const w of workloads(objs)) {
        const pinned = podSpec(w).nodeSelector?.['node-role.kubernetes.io/control-plane'] === 'true'
        const needs = expected.includes(w.metadata.name)
        expect(pinned, `${name(w)} pinned to the control node`).toBe(
          overlay.includes('k3s-pi') && needs,
        )
      }
    })
  })
}

describe('storage', () => {
  it('k3s-pi: Postgres on a node-pinned local PersistentVolume of 5 GiB', () => {
    const objs = kustomize('overlays/k3s-pi')
    const pv = find(objs, 'PersistentVolume', 'rere-postgres-data')!
    const sts = find(objs, 'StatefulSet', 'postgres')!
    const claim = sts.spec.volumeClaimTemplates[0]
    expect(pv.spec.capacity.storage).toBe('5Gi')
    expect(claim.spec.resources.requests.storage).toBe('5Gi')
    expect(pv.spec.local.path).toMatch(/^\//)
    expect(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]).toMatchObject({
      key: 'kubernetes.io/hostname',
      operator: 'In',
    })
    expect(claim.spec.storageClassName).toBe(pv.spec.storageClassName)
    const sc = find(objs, 'StorageClass', pv.spec.storageClassName)!
    expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer')
    // claimRef = <template>-<statefulset>-0 in the namespace
    expect(pv.spec.claimRef).toEqual({
      namespace: 'rere',
      name: `${claim.metadata.name}-${sts.metadata.name}-0`,
    })
    // the pinned node exists in the example inventory
    const inv = readFileSync(join(k8sDir, '..', 'ansible', 'inventory', 'example.yml'), 'utf8')
    expect(inv).toContain(
      pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0],
    )
  })

  it('generic: Postgres on the default StorageClass', () => {
    const objs = kustomize('overlays/generic')
    expect(byKind(objs, 'PersistentVolume')).toEqual([])
    expect(
      find(objs, 'StatefulSet', 'postgres')!.spec.volumeClaimTemplates[0].spec.storageClassName,
    ).toBeUndefined()
  })

  it('secrets: every generator reads an example file; passwords agree across secrets', () => {
    for (const o of ['k3s-pi', 'generic']) {
      const kust = readFileSync(join(k8sDir, 'overlays', o, 'kustomization.yaml'), 'utf8')
      const refs = [...kust.matchAll(/secrets\/[\w.-]+/g)].map((m) => m[0])
      expect(refs.length).toBeGreaterThan(4)
      for (const r of refs) expect(r, `${o}: ${r}`).toMatch(/\.example\.(env|txt)$/)
      const pg = parseEnvFile(
        readFileSync(join(k8sDir, 'overlays', o, 'secrets/postgres.example.env'), 'utf8'),
      )
      const db = parseEnvFile(
        readFileSync(join(k8sDir, 'overlays', o, 'secrets/api-database.example.env'), 'utf8'),
      )
      const userlist = readFileSync(
        join(k8sDir, 'overlays', o, 'secrets/pgbouncer-userlist.example.txt'),
        'utf8',
      )
      for (const url of [db.DATABASE_URL, db.DATABASE_DIRECT_URL]) {
        const u = new URL(url)
        expect(u.username).toBe(pg.POSTGRES_USER)
        expect(decodeURIComponent(u.password)).toBe(pg.POSTGRES_PASSWORD)
        expect(u.pathname).toBe(`/${pg.POSTGRES_DB}`)
      }
      expect(userlist.trim()).toBe(`"${pg.POSTGRES_USER}" "${pg.POSTGRES_PASSWORD}"`)
    }
  })
})

describe('apply-secrets.sh', () => {
  for (const overlay of ['k3s-pi', 'generic']) {
    it(`${overlay}: real files become the same Secrets, with the same keys, as the generators make`, async () => {
      const src = join(k8sDir, 'overlays', overlay, 'secrets')
      const tmp = mkdtempSync(join(tmpdir(), 'rere-secrets-'))
      for (const f of readdirSync(src)) {
        copyFileSync(join(src, f), join(tmp, f))
        copyFileSync(join(src, f), join(tmp, f.replace('.example.', '.')))
      }
      const script = join(k8sDir, 'apply-secrets.sh')
      const { stdout } = await run('bash', [script, overlay, '--dry-run'], {
        env: { ...process.env, SECRETS_DIR: tmp },
      })
      const applied = parseYamlDocs(stdout).filter((o) => o.kind === 'Secret')
      const generated = kustomize(`overlays/${overlay}`).filter((o) => o.kind === 'Secret')
      const shape = (list: Obj[]) =>
        Object.fromEntries(list.map((o) => [o.metadata.name, Object.keys(o.data).sort()]))
      expect(shape(applied)).toEqual(shape(generated))
      // same content as the example (the real file here is a copy of it)
      for (const a of applied) {
        const g = generated.find((o) => o.metadata.name === a.metadata.name)!
        for (const [k, v] of Object.entries<string>(a.data))
          expect(Buffer.from(v, 'base64').toString(), `${a.metadata.name}/${k}`).toBe(
            Buffer.from(String(g.data[k]).replace(/\s+/g, ''), 'base64').toString(),
          )
      }
      // a missing real file is reported with exit code 1
      rmSync(join(tmp, 'postgres.env'))
      await expect(
        run('bash', [script, overlay, '--dry-run'], { env: { ...process.env, SECRETS_DIR: tmp } }),
      ).rejects.toMatchObject({ code: 1 })
    })
  }
})
