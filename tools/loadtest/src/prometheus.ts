/**
 * Cluster metrics from a Prometheus-compatible query API (`/api/v1/query_range`; Prometheus,
 * Thanos, Mimir, Grafana Cloud), with bearer or basic auth. The default queries assume cAdvisor
 * and kube-state-metrics (what kube-prometheus-stack and Grafana Cloud's Kubernetes integration
 * scrape); each can be replaced in a JSON file (`--prom-queries`).
 */
import { readFileSync } from 'node:fs'
import { configError, EXIT, LoadtestError } from './errors.ts'
import type { ClusterSeries } from './analyze.ts'

export interface PromOptions {
  url: string
  bearer?: string
  basic?: { user: string; password: string }
  namespace?: string
  deployments?: { api: string; solver: string }
  /** name -> PromQL; `$ns`, `$api`, `$solver` are substituted */
  queries?: Record<string, string>
  stepS?: number
  timeoutMs?: number
}

export const DEFAULT_QUERIES: Record<string, string> = {
  'cpu:api':
    'sum(rate(container_cpu_usage_seconds_total{namespace="$ns",pod=~"$api-[a-z0-9]+-[a-z0-9]+",container!=""}[1m]))',
  'cpu:solver':
    'sum(rate(container_cpu_usage_seconds_total{namespace="$ns",pod=~"$solver-[a-z0-9]+-[a-z0-9]+",container!=""}[1m]))',
  'mem:api':
    'sum(container_memory_working_set_bytes{namespace="$ns",pod=~"$api-[a-z0-9]+-[a-z0-9]+",container!=""})',
  'mem:solver':
    'sum(container_memory_working_set_bytes{namespace="$ns",pod=~"$solver-[a-z0-9]+-[a-z0-9]+",container!=""})',
  'replicas:api':
    'sum(kube_deployment_status_replicas_available{namespace="$ns",deployment="$api"})',
  'replicas:solver':
    'sum(kube_deployment_status_replicas_available{namespace="$ns",deployment="$solver"})',
  'cpuRequest:api':
    'sum(kube_pod_container_resource_requests{namespace="$ns",pod=~"$api-[a-z0-9]+-[a-z0-9]+",resource="cpu"})',
  'cpuRequest:solver':
    'sum(kube_pod_container_resource_requests{namespace="$ns",pod=~"$solver-[a-z0-9]+-[a-z0-9]+",resource="cpu"})',
  cpuShare:
    'sum(kube_pod_container_resource_requests{namespace="$ns",pod=~"($api|$solver)-[a-z0-9]+-[a-z0-9]+",resource="cpu"}) / sum(kube_node_status_allocatable{resource="cpu"})',
}

export function loadQueries(path: string): Record<string, string> {
  try {
    const q = JSON.parse(readFileSync(path, 'utf8')) as unknown
    if (!q || typeof q !== 'object' || Object.values(q).some((v) => typeof v !== 'string'))
      throw new Error('expected {name: "PromQL"}')
    return q as Record<string, string>
  } catch (e) {
    throw configError('LOADTEST_BAD_PROM_QUERIES', `${path}: ${(e as Error).message}`, {
      field: 'promQueries',
    })
  }
}

/** One range query: [epoch ms, value][] of the first series (queries are sum()s). */
export async function queryRange(
  o: PromOptions,
  query: string,
  startMs: number,
  endMs: number,
): Promise<[number, number][]> {
  const u = new URL('api/v1/query_range', o.url.endsWith('/') ? o.url : `${o.url}/`)
  u.searchParams.set('query', query)
  u.searchParams.set('start', (startMs / 1000).toFixed(3))
  u.searchParams.set('end', (endMs / 1000).toFixed(3))
  u.searchParams.set('step', `${o.stepS ?? 5}s`)
  const headers: Record<string, string> = { accept: 'application/json' }
  if (o.bearer) headers.authorization = `Bearer ${o.bearer}`
  else if (o.basic)
    headers.authorization = `Basic ${Buffer.from(`${o.basic.user}:${o.basic.password}`).toString('base64')}`
  let res: Response
  try {
    res = await fetch(u, { headers, signal: AbortSignal.timeout(o.timeoutMs ?? 30_000) })
  } catch (e) {
    throw new LoadtestError(
      'LOADTEST_PROM_UNREACHABLE',
      `Prometheus at ${o.url} does not answer (${(e as Error).message})`,
      { exitCode: EXIT.SETUP_FAILED, details: { field: 'promUrl' } },
    )
  }
  const text = await res.text()
  if (res.status === 401 || res.status === 403)
    throw new LoadtestError(
      'LOADTEST_PROM_AUTH',
      `Prometheus at ${o.url}: ${res.status} (check --prom-token / --prom-user)`,
      { exitCode: EXIT.SETUP_FAILED, details: { field: 'promToken' } },
    )
  let body: {
    status?: string
    error?: string
    data?: { resultType?: string; result?: { values?: [number, string][] }[] }
  }
  try {
    body = JSON.parse(text)
  } catch {
    throw new LoadtestError(
      'LOADTEST_PROM_FAILED',
      `Prometheus at ${o.url}: HTTP ${res.status}, reply is not JSON`,
      { exitCode: EXIT.SETUP_FAILED },
    )
  }
  if (body.status !== 'success')
    throw new LoadtestError(
      'LOADTEST_PROM_FAILED',
      `Prometheus query failed: ${body.error ?? `HTTP ${res.status}`}`,
      { exitCode: EXIT.SETUP_FAILED, details: { query } },
    )
  const first = body.data?.result?.[0]
  return (first?.values ?? [])
    .map(([t, v]) => [t * 1000, Number(v)] as [number, number])
    .filter(([, v]) => Number.isFinite(v))
}

/** Every query for the time range, as the analyzer's ClusterSeries. */
export async function clusterSeries(
  o: PromOptions,
  startMs: number,
  endMs: number,
): Promise<ClusterSeries> {
  const ns = o.namespace ?? 'rere'
  const api = o.deployments?.api ?? 'api'
  const solver = o.deployments?.solver ?? 'solver'
  const series: ClusterSeries['series'] = {}
  for (const [name, q] of Object.entries(o.queries ?? DEFAULT_QUERIES)) {
    const query = q.replaceAll('$ns', ns).replaceAll('$api', api).replaceAll('$solver', solver)
    series[name] = await queryRange(o, query, startMs, endMs)
  }
  return { series }
}
