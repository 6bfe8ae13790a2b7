/**
 * Render kustomize overlays with the real `kubectl kustomize` and give typed access to the
 * objects. kubectl is part of the machine image (google-cloud-cli's kubectl); a missing one
 * fails the tests (no silent skip).
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const k8sDir = join(repoRoot, 'deploy', 'k8s')

/** A Kubernetes object as rendered (loosely typed: tests check the shape they rely on). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>

export function parseYamlDocs(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('\n'))
      return d.toJS() as Obj | null
    })
    .filter((o): o is Obj => o !== null && typeof o === 'object')
}

export function readYaml(path: string): Obj[] {
  return parseYamlDocs(readFileSync(path, 'utf8'))
}

const cache = new Map<string, Obj[]>()

/** `kubectl kustomize <dir>` parsed; `dir` relative to deploy/k8s or absolute. */
export function kustomize(dir: string): Obj[] {
  const abs = dir.startsWith('/') ? dir : join(k8sDir, dir)
  const hit = cache.get(abs)
  if (hit) return hit
  const out = execFileSync('kubectl', ['kustomize', abs], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  const objs = parseYamlDocs(out)
  cache.set(abs, objs)
  return objs
}

export const byKind = (objs: Obj[], kind: string): Obj[] => objs.filter((o) => o.kind === kind)

export function find(objs: Obj[], kind: string, name: string): Obj | undefined {
  return objs.find((o) => o.kind === kind && o.metadata?.name === name)
}

/** Workloads with a pod template. */
export function workloads(objs: Obj[]): Obj[] {
  return objs.filter((o) => ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'].includes(o.kind))
}

export function podSpec(w: Obj): Obj {
  return w.spec.template.spec
}

export function allContainers(w: Obj): Obj[] {
  const s = podSpec(w)
  return [...(s.initContainers ?? []), ...(s.containers ?? [])]
}

/** selector.matchLabels ⊆ labels (the only selector form the manifests use, checked below). */
export function matchLabels(
  sel: Record<string, string> | undefined,
  labels: Record<string, string>,
) {
  return Object.entries(sel ?? {}).every(([k, v]) => labels[k] === v)
}

/** Read an env file (KEY=VALUE lines, # comments) as kustomize and kubectl do. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const t = line.trim()
    if (!t || t.startsWith('#')) continue
    const i = t.indexOf('=')
    if (i < 0) throw new Error(`not KEY=VALUE: ${t}`)
    out[t.slice(0, i)] = t.slice(i + 1)
  }
  return out
}
