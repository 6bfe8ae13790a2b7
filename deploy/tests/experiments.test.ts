/**
 * The load-test experiment plans (tools/loadtest/plans/*.json) drive the deployment with
 * kubectl: the names, namespace, Argo CD application and CPU requests they use must exist and fit
 * what deploy/k8s and deploy/argocd define.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { find, kustomize, podSpec, readYaml, repoRoot, type Obj } from './lib/render.ts'

const plansDir = join(repoRoot, 'tools/loadtest/plans')
const plans = readdirSync(plansDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, plan: JSON.parse(readFileSync(join(plansDir, f), 'utf8')) as Obj }))
  .filter(({ plan }) => plan.target?.kind === 'kubernetes')

/** CPU quantity -> millicores */
function milli(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000
}

describe('experiment plans against the manifests', () => {
  const objs = kustomize('overlays/k3s-pi-experiment')
  const platform = readYaml(join(repoRoot, 'deploy/argocd/platform.yaml'))[0]

  it('there are Kubernetes plans to check', () => {
    expect(plans.length).toBeGreaterThan(0)
  })

  for (const { file, plan } of plans) {
    it(file, () => {
      let checked = 0
      const t = plan.target
      expect(t.namespace).toBe(find(objs, 'Namespace', 'rere')!.metadata.name)
      for (const role of ['api', 'solver']) {
        const dep = find(objs, 'Deployment', t.deployments[role])
        expect(dep, `${file}: deployment ${t.deployments[role]}`).toBeDefined()
        if (t.hpa?.[role]) {
          const hpa = find(objs, 'HorizontalPodAutoscaler', t.hpa[role])
          expect(hpa?.spec.scaleTargetRef.name, `${file}: hpa ${t.hpa[role]}`).toBe(
            dep!.metadata.name,
          )
        }
        const container = podSpec(dep!).containers.find(
          (c: Obj) => c.name === (t.containers?.[role] ?? c.name),
        )
        expect(container, `${file}: container ${t.containers?.[role]}`).toBeDefined()
        // every CPU request a setting applies must fit under the container's limit
        const limit = milli(String(container.resources.limits.cpu))
        expect(Array.isArray(plan.settings), `${file}: settings`).toBe(true)
        for (const s of plan.settings) {
          const req = s?.[role]?.cpuRequest
          if (!req) continue
          checked++
          expect(milli(req), `${file}: ${role} cpuRequest ${req}`).toBeLessThanOrEqual(limit)
        }
      }
      if (plan.settings.some((x: Obj) => x.api?.cpuRequest || x.solver?.cpuRequest))
        expect(checked).toBeGreaterThan(0)
      if (t.argocd) {
        expect(t.argocd.application).toBe(platform.metadata.name)
        expect(t.argocd.namespace).toBe(platform.metadata.namespace)
      }
    })
  }
})
