/**
 * Schema validation of rendered objects.
 * - Kubernetes built-ins: `kubernetes-models` 4.x (OpenAPI schemas of Kubernetes 1.3x compiled
 *   with ajv; v5 needs Node 22).
 * - Argo CD (`@kubernetes-models/argo-cd` 2.7) and cert-manager (`@kubernetes-models/cert-manager` 4.4):
 *   generated from those projects' CRDs.
 * - Traefik: `@kubernetes-models/traefik` 0.2 ships the traefik.io/v1alpha1 CRDs of Traefik 2.10,
 *   which lack v3 fields (ipAllowList) and accept unknown fields. So Traefik objects are ALSO
 *   checked against deploy/tests/lib/traefik-v3.ts: minimal, strict (additionalProperties false)
 *   JSON schemas written for the fields these manifests use, after Traefik v3's CRD reference,
 *   plus a parser of v3 router rules.
 * These models accept unknown fields; typos are caught by the policy checks (a misspelt probe or
 * securityContext is a missing one) and by knownContainerFields below.
 */
import * as argo from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1'
import * as certManager from '@kubernetes-models/cert-manager/cert-manager.io/v1'
import * as traefik from '@kubernetes-models/traefik/traefik.io/v1alpha1'
import * as apps from 'kubernetes-models/apps/v1'
import * as autoscaling from 'kubernetes-models/autoscaling/v2'
import * as batch from 'kubernetes-models/batch/v1'
import * as networking from 'kubernetes-models/networking.k8s.io/v1'
import * as policy from 'kubernetes-models/policy/v1'
import * as storage from 'kubernetes-models/storage.k8s.io/v1'
import * as core from 'kubernetes-models/v1'
import type { Obj } from './render.ts'

type Model = new (data: Obj) => { validate(): void }
const groups: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'autoscaling/v2': autoscaling,
  'batch/v1': batch,
  'networking.k8s.io/v1': networking,
  'policy/v1': policy,
  'storage.k8s.io/v1': storage,
  'traefik.io/v1alpha1': traefik,
  'argoproj.io/v1alpha1': argo,
  'cert-manager.io/v1': certManager,
}

/** Throws with the object's kind/name and the schema errors; unknown kinds are an error too. */
export function validateK8s(o: Obj): void {
  const id = `${o.apiVersion} ${o.kind} ${o.metadata?.name}`
  const model = groups[o.apiVersion]?.[o.kind] as Model | undefined
  if (!model) throw new Error(`${id}: no schema known for this apiVersion/kind`)
  const data = structuredClone(o)
  // kustomize folds long base64 values over lines; the API server's decoder (Go's base64)
  // skips newlines, the schema's "byte" format does not
  if (o.kind === 'Secret' && data.data)
    for (const k of Object.keys(data.data)) data.data[k] = String(data.data[k]).replace(/\s+/g, '')
  try {
    new model(data).validate()
  } catch (e) {
    throw new Error(`${id}: ${(e as Error).message}`, { cause: e })
  }
}

/** v1.Container fields (Kubernetes 1.33). */
export const knownContainerFields = new Set([
  'name',
  'image',
  'command',
  'args',
  'workingDir',
  'ports',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
])
