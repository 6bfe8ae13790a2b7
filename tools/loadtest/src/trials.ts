/**
 * N trials of one profile against one endpoint: before each trial the pump fixture is created,
 * after it deleted (even when the trial fails), with a cool-down between trials. Writes
 * `trial-<n>.ndjson` per trial and `run.json` (settings, host, versions, per-trial outcome)
 * into the output folder.
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { createFixture, deleteFixture, type ClientOptions } from './fixture.ts'
import { builtin, type BaseOptions, type EndpointName, type Scenario } from './profiles.ts'
import { run, type RequestSpec, type RunResult, type Warning } from './runner.ts'

export interface TrialsOptions {
  url: string
  token?: string
  endpoint: EndpointName
  profileName: string
  scenario: Scenario
  base?: BaseOptions
  trials: number
  cooldownS: number
  outDir: string
  /** skip the fixture (use this flowsheet id instead) */
  flowsheetId?: number
  progress?: NodeJS.WriteStream | false
  log?: (line: string) => void
  signal?: AbortSignal
  /** extra settings recorded in run.json (e.g. the experiment setting) */
  meta?: Record<string, unknown>
}

export interface TrialOutcome {
  index: number
  file: string
  fixtureId: number
  result: Omit<RunResult, 'warnings'> & { warnings: Warning[] }
}

export interface RunManifest {
  tool: 'rere-loadtest'
  version: string
  createdAt: string
  host: {
    hostname: string
    cpus: number
    cpuModel: string
    totalMemBytes: number
    platform: string
    node: string
  }
  url: string
  endpoint: EndpointName
  profile: string
  scenario: Scenario
  base: BaseOptions
  trials: TrialOutcome[]
  complete: boolean
  meta?: Record<string, unknown>
}

export function requestFor(
  endpoint: EndpointName,
  url: string,
  id: number,
  token?: string,
): RequestSpec {
  const e = builtin().endpoints[endpoint]
  const path = e.path.replace('{id}', String(id))
  const body = e.body ? JSON.stringify(e.body).replace('"{id}"', String(id)) : undefined
  return {
    method: e.method,
    url: new URL(path, url.endsWith('/') ? url : `${url}/`).toString(),
    ...(body ? { body } : {}),
    headers: token ? { Authorization: `Bearer ${token}` } : ({} as Record<string, string>),
  }
}

function writeManifest(dir: string, m: RunManifest): void {
  const p = join(dir, 'run.json')
  writeFileSync(`${p}.tmp`, JSON.stringify(m, null, 2))
  renameSync(`${p}.tmp`, p)
}

export async function runTrials(o: TrialsOptions): Promise<RunManifest> {
  mkdirSync(o.outDir, { recursive: true })
  const log = o.log ?? (() => {})
  const client: ClientOptions = { url: o.url, token: o.token }
  const manifest: RunManifest = {
    tool: 'rere-loadtest',
    version: '0.1.0',
    createdAt: new Date().toISOString(),
    host: {
      hostname: os.hostname(),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '',
      totalMemBytes: os.totalmem(),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    url: o.url,
    endpoint: o.endpoint,
    profile: o.profileName,
    scenario: o.scenario,
    base: o.base ?? builtin().baseOptions,
    trials: [],
    complete: false,
    ...(o.meta ? { meta: o.meta } : {}),
  }
  writeManifest(o.outDir, manifest)
  for (let i = 1; i <= o.trials; i++) {
    if (o.signal?.aborted) break
    const fixtureId = o.flowsheetId ?? (await createFixture(client)).id
    log(`trial ${i}/${o.trials}: ${o.endpoint} ${o.profileName} (flowsheet ${fixtureId})`)
    let result: RunResult
    try {
      result = await run({
        scenario: o.scenario,
        request: requestFor(o.endpoint, o.url, fixtureId, o.token),
        base: manifest.base,
        out: join(o.outDir, `trial-${i}.ndjson`),
        progress: o.progress,
        signal: o.signal,
        onWarning: (w) => log(`warning: ${w.message}`),
        scenarioTag: o.profileName,
      })
    } finally {
      if (o.flowsheetId === undefined) {
        try {
          await deleteFixture(client, fixtureId)
        } catch (e) {
          log(`warning: fixture ${fixtureId} not deleted: ${(e as Error).message}`)
        }
      }
    }
    manifest.trials.push({ index: i, file: `trial-${i}.ndjson`, fixtureId, result })
    writeManifest(o.outDir, manifest)
    log(
      `trial ${i}: started ${result.started}, completed ${result.completed}, failed ${result.failed}, dropped ${result.dropped}` +
        (result.aborted ? `, aborted (${result.aborted})` : ''),
    )
    if (result.aborted === 'signal') break
    if (i < o.trials && o.cooldownS > 0) {
      log(`cool-down ${o.cooldownS}s`)
      await new Promise<void>((r) => {
        const t = setTimeout(r, o.cooldownS * 1000)
        o.signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true })
      })
    }
  }
  manifest.complete =
    manifest.trials.length === o.trials &&
    !manifest.trials.some((t) => t.result.aborted === 'signal')
  writeManifest(o.outDir, manifest)
  return manifest
}
