import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  copyFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  loadPlan,
  localCommands,
  runExperiment,
  validatePlan,
  type Plan,
} from '../src/experiment.ts'
import { startServer, type TestServer } from './helpers.ts'

const plansDir = fileURLToPath(new URL('../plans/', import.meta.url))
let srv: TestServer
const dir = mkdtempSync(join(tmpdir(), 'rere-exp-'))
const bin = join(dir, 'bin')
let oldPath: string | undefined

beforeAll(async () => {
  srv = await startServer()
  mkdirSync(bin)
  copyFileSync(fileURLToPath(new URL('./fake-kubectl.mjs', import.meta.url)), join(bin, 'kubectl'))
  chmodSync(join(bin, 'kubectl'), 0o755)
  oldPath = process.env.PATH
  process.env.PATH = `${bin}:${process.env.PATH}`
})
afterAll(async () => {
  process.env.PATH = oldPath
  await srv.stop()
})

function fakeCluster(name: string) {
  const state = join(dir, `${name}.state.json`)
  const log = join(dir, `${name}.log`)
  writeFileSync(
    state,
    JSON.stringify({
      deploy: { api: { spec: 2, ready: 2, cpu: '250m' }, solver: { spec: 1, ready: 1, cpu: '1' } },
      hpa: {
        api: {
          minReplicas: 2,
          maxReplicas: 6,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
            },
          ],
        },
        solver: { minReplicas: 1, maxReplicas: 8 },
      },
      argo: { prune: true, selfHeal: true },
    }),
  )
  writeFileSync(log, '')
  process.env.FAKE_KUBE_STATE = state
  process.env.FAKE_KUBE_LOG = log
  return {
    calls: () =>
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(
          (l) =>
            `kubectl ${(JSON.parse(l) as { argv: string[] }).argv.filter((x, i, a) => x !== '-n' && a[i - 1] !== '-n').join(' ')}`,
        ),
    state: () => JSON.parse(readFileSync(state, 'utf8')),
  }
}

function plan(over: Partial<Plan> = {}): Plan {
  return validatePlan({
    name: 'fake',
    target: {
      kind: 'kubernetes',
      url: srv.url,
      namespace: 'rere',
      deployments: { api: 'api', solver: 'solver' },
      hpa: { api: 'api', solver: 'solver' },
      argocd: { namespace: 'argocd', application: 'rere-platform' },
      settleChecks: 2,
      settleIntervalS: 0.01,
      settleTimeoutS: 10,
    },
    runs: [{ endpoint: 'uor', profile: 'average' }],
    settings: [
      { name: 'api-4', api: { replicas: 4 }, solver: { replicas: 1 } },
      {
        name: 'cpu-500m-50',
        api: { cpuRequest: '500m', targetUtilization: 50, minReplicas: 1, maxReplicas: 8 },
      },
    ],
    trials: 1,
    cooldownS: 0,
    timeScale: 0.002, // 600 s -> 1.2 s
    ...over,
  })
}

describe('experiment runner against a fake kubectl', () => {
  it('pauses Argo CD, applies each setting without fighting the HPA, waits, runs, restores', async () => {
    const k = fakeCluster('ok')
    const logs: string[] = []
    const index = await runExperiment({
      plan: plan(),
      outDir: join(dir, 'out'),
      log: (l) => logs.push(l),
    })
    const calls = k.calls()
    const idx = (s: string) => calls.findIndex((c) => c.includes(s))
    // saved first, then Argo paused before any change
    expect(calls.slice(0, 5)).toEqual([
      'kubectl get deployment api -o json',
      'kubectl get hpa api -o json',
      'kubectl get deployment solver -o json',
      'kubectl get hpa solver -o json',
      'kubectl get application rere-platform -o jsonpath={.spec.syncPolicy.automated}',
    ])
    expect(calls[5]).toBe(
      'kubectl patch application rere-platform --type merge -p {"spec":{"syncPolicy":{"automated":null}}}',
    )
    // setting 1: fixed replicas as HPA min = max, then rollout + settle polls
    expect(calls[6]).toBe(
      'kubectl patch hpa api --type merge -p {"spec":{"minReplicas":4,"maxReplicas":4}}',
    )
    expect(calls[7]).toBe(
      'kubectl patch hpa solver --type merge -p {"spec":{"minReplicas":1,"maxReplicas":1}}',
    )
    expect(calls[8]).toBe('kubectl rollout status deployment/api --timeout=600s')
    // the fake climbs 2 -> 4 one step per poll: 2 polls to get there + 2 stable ones
    const polls = calls.filter((c) => c.startsWith('kubectl get deployment api -o jsonpath'))
    expect(polls.length).toBeGreaterThanOrEqual(4)
    // setting 2: CPU request and HPA target
    const s2 = idx('set resources deployment/api --requests=cpu=500m')
    expect(s2).toBeGreaterThan(8)
    expect(calls[s2 + 1]).toBe(
      'kubectl patch hpa api --type merge -p {"spec":{"minReplicas":1,"maxReplicas":8,"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]}}',
    )
    // restore at the end: requests, HPAs, then Argo CD's automated sync
    const tail = calls.slice(-5)
    expect(tail[0]).toBe('kubectl set resources deployment/api --requests=cpu=250m')
    expect(tail[1]).toContain(
      'kubectl patch hpa api --type merge -p {"spec":{"minReplicas":2,"maxReplicas":6,"metrics":[',
    )
    expect(tail[2]).toBe('kubectl set resources deployment/solver --requests=cpu=1')
    expect(tail[3]).toBe(
      'kubectl patch hpa solver --type merge -p {"spec":{"minReplicas":1,"maxReplicas":8,"metrics":null}}',
    )
    expect(tail[4]).toBe(
      'kubectl patch application rere-platform --type merge -p {"spec":{"syncPolicy":{"automated":{"prune":true,"selfHeal":true}}}}',
    )
    const st = k.state()
    expect(st.hpa.api).toMatchObject({ minReplicas: 2, maxReplicas: 6 })
    expect(st.hpa.api.metrics[0].resource.target.averageUtilization).toBe(70)
    expect(st.argo).toEqual({ prune: true, selfHeal: true })
    expect(st.deploy.api.cpu).toBe('250m')
    // the trials ran, with the fixture created and deleted
    expect(index.complete).toBe(true)
    expect(index.results.map((r) => r.setting)).toEqual(['api-4', 'cpu-500m-50'])
    for (const r of index.results) {
      expect(existsSync(join(r.dir, 'trial-1.ndjson'))).toBe(true)
      expect(existsSync(join(r.dir, 'report.html'))).toBe(true)
    }
    expect(existsSync(join(dir, 'out', 'fake', 'summary.md'))).toBe(true)
    const stats = (await (await fetch(`${srv.url}/__stats`)).json()) as {
      flowsheets: number[]
      deleted: number[]
    }
    expect(stats.flowsheets).toEqual([])
    expect(stats.deleted.length).toBeGreaterThanOrEqual(2)
  })

  it('restores the HPA and resumes sync when a setting fails', async () => {
    const k = fakeCluster('fail')
    process.env.FAKE_KUBE_FAIL = 'rollout status deployment/solver'
    try {
      await expect(
        runExperiment({ plan: plan(), outDir: join(dir, 'out2'), log: () => {} }),
      ).rejects.toThrow(/rollout status/)
    } finally {
      delete process.env.FAKE_KUBE_FAIL
    }
    const st = k.state()
    expect(st.hpa.api).toMatchObject({ minReplicas: 2, maxReplicas: 6 })
    expect(st.argo).toEqual({ prune: true, selfHeal: true })
    expect(k.calls().at(-1)).toContain('patch application rere-platform')
  })

  it('remove-hpa mode deletes the HPA, scales, and re-applies the saved HPA', async () => {
    const k = fakeCluster('remove')
    const p = plan({ settings: [{ name: 'api-3', api: { replicas: 3 } }] } as Partial<Plan>)
    ;(p.target as { fixedReplicas?: string }).fixedReplicas = 'remove-hpa'
    await runExperiment({ plan: p, outDir: join(dir, 'out3'), log: () => {} })
    const calls = k.calls()
    expect(calls).toContain('kubectl delete hpa api --ignore-not-found')
    expect(calls).toContain('kubectl scale deployment/api --replicas=3')
    expect(calls).toContain('kubectl apply -f -')
    expect(k.state().hpa.api).toMatchObject({ minReplicas: 2, maxReplicas: 6 })
  })

  it('--dry-run prints the commands and runs nothing', async () => {
    const k = fakeCluster('dry')
    const out: string[] = []
    await runExperiment({
      plan: plan(),
      outDir: join(dir, 'out4'),
      dryRun: true,
      log: (l) => out.push(l),
    })
    expect(k.calls()).toEqual([])
    expect(out.join('\n')).toContain(
      'kubectl -n rere patch hpa api --type merge -p \'{"spec":{"minReplicas":4,"maxReplicas":4}}\'',
    )
    expect(out.join('\n')).toContain('rere loadtest run --url')
    expect(existsSync(join(dir, 'out4'))).toBe(false)
  })
})

describe('plans', () => {
  it("the seed's matrices are valid plans", () => {
    const sizes: Record<string, number> = {
      'api-replicas': 4,
      'api-solver-replicas': 8,
      'hpa-cpu-target': 12,
      'hpa-min-replicas': 3,
      'local-workers': 2,
    }
    for (const [name, n] of Object.entries(sizes))
      expect(loadPlan(join(plansDir, `${name}.json`)).settings).toHaveLength(n)
  })
  it('bad plans are one-line 104 errors naming the field', () => {
    expect(() => validatePlan({ name: 'x', target: { kind: 'moon' } })).toThrow(
      expect.objectContaining({
        code: 'LOADTEST_BAD_PLAN',
        exitCode: 104,
        message: expect.stringContaining('target.kind'),
      }),
    )
    const base = {
      name: 'x',
      target: { kind: 'local' },
      runs: [{ endpoint: 'uor', profile: 'average' }],
      settings: [{ name: 's' }],
    }
    expect(() => validatePlan({ ...base, runs: [{ endpoint: 'xx', profile: 'average' }] })).toThrow(
      /runs\[0\]/,
    )
    expect(() =>
      validatePlan({ ...base, settings: [{ name: 's', api: { replicas: 0 } }] }),
    ).toThrow(/settings\[0\]\.api\.replicas/)
    expect(() =>
      validatePlan({ ...base, settings: [{ name: 's', api: { cpuRequest: 'lots' } }] }),
    ).toThrow(/cpuRequest/)
    expect(() => validatePlan({ ...base, settings: [{ name: 's' }, { name: 's' }] })).toThrow(
      /duplicate/,
    )
    expect(() => loadPlan(join(dir, 'missing.json'))).toThrow(/not readable/)
  })
  it('the local target runs API and solver as N cluster workers over PgBouncer', () => {
    const c = localCommands(
      { kind: 'local' },
      { name: 's', api: { replicas: 2 }, solver: { replicas: 3 } },
      '/x/rere.mjs',
    )
    expect(c.solver.argv.slice(-5)).toEqual(['--workers', '3', '--', '/x/rere.mjs', 'solver'])
    expect(c.api.argv.slice(-5)).toEqual(['--workers', '2', '--', '/x/rere.mjs', 'api'])
    expect(c.api.env).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:6432/test',
      SOLVER_URL: 'http://127.0.0.1:18081',
      MIGRATE_ON_START: 'true',
    })
  })
})
