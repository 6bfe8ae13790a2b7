/**
 * Load profiles as data. The built-in ones live in ../profiles/builtin.json (k6 scenario terms,
 * so the k6 script uses them unchanged); custom ones come from a JSON file of the same shape
 * (one scenario, or `{uor: scenario, fs: scenario}`). `scaleScenario` applies --rate-scale
 * (multiplies every rate) and --time-scale (multiplies every stage duration).
 */
import { readFileSync } from 'node:fs'
import { configError } from './errors.ts'

export type EndpointName = 'uor' | 'fs'
export const ENDPOINTS: EndpointName[] = ['uor', 'fs']
export const PROFILE_NAMES = ['average', 'stress', 'spike', 'breakpoint'] as const

export interface Stage {
  /** k6 duration string ("30s", "9m", "1m30s", "250ms") or seconds as a number */
  duration: string | number
  /** rate at the end of the stage [iterations per timeUnit] */
  target: number
}
export interface ThresholdSpec {
  threshold: string
  abortOnFail?: boolean
  delayAbortEval?: string
}
export interface Scenario {
  executor: 'ramping-arrival-rate'
  startRate: number
  timeUnit: string
  preAllocatedVUs: number
  maxVUs: number
  gracefulStop: string
  stages: Stage[]
  thresholds?: Record<string, (string | ThresholdSpec)[]>
}
export interface EndpointSpec {
  description: string
  method: 'GET' | 'POST'
  /** `{id}` is replaced by the fixture's flowsheet id */
  path: string
  body?: Record<string, unknown>
  /** degradation threshold on the smoothed response time [ms] */
  degradationMs: number
}
export interface BaseOptions {
  insecureSkipTLSVerify: boolean
  noConnectionReuse: boolean
  discardResponseBodies: boolean
  maxRedirects: number
  expectedStatuses: { min: number; max: number }
  httpTimeout: string
}
export interface ProfileFile {
  endpoints: Record<EndpointName, EndpointSpec>
  baseOptions: BaseOptions
  profiles: Record<string, { description: string } & Record<EndpointName, Scenario>>
}

const BUILTIN_URL = new URL('../profiles/builtin.json', import.meta.url)
let builtinCache: ProfileFile | undefined

/** The built-in profiles, endpoints and base options (profiles/builtin.json). */
export function builtin(): ProfileFile {
  builtinCache ??= JSON.parse(readFileSync(BUILTIN_URL, 'utf8')) as ProfileFile
  return builtinCache
}

/** Parse a k6 duration ("1m30s", "250ms", "2h", "10s", or a number of seconds) to seconds. */
export function parseDuration(d: string | number, field = 'duration'): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d) || d < 0)
      throw configError('LOADTEST_BAD_DURATION', `${field}: not a duration: ${d}`, { field })
    return d
  }
  const s = String(d).trim()
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s)
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy
  let total = 0
  let m: RegExpExecArray | null
  let pos = 0
  const mult: Record<string, number> = {
    h: 3600,
    m: 60,
    s: 1,
    ms: 1e-3,
    us: 1e-6,
    µs: 1e-6,
    ns: 1e-9,
  }
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * mult[m[2]]
    pos = re.lastIndex
  }
  if (s.length === 0 || pos !== s.length)
    throw configError('LOADTEST_BAD_DURATION', `${field}: not a duration: "${s}"`, { field })
  return total
}

/** Seconds as a k6 duration string ("90s", "1.5s", "250ms"). */
export function formatDuration(sec: number): string {
  if (sec < 1 && sec > 0) return `${round(sec * 1000, 3)}ms`
  return `${round(sec, 3)}s`
}
function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

function num(v: unknown, field: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min)
    throw configError(
      'LOADTEST_BAD_PROFILE',
      `${field}: expected a number >= ${min}, got ${JSON.stringify(v)}`,
      { field },
    )
  return v
}

/** Validate a scenario (from the built-ins or a user's file); returns a normalised copy. */
export function validateScenario(raw: unknown, where = 'profile'): Scenario {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw configError('LOADTEST_BAD_PROFILE', `${where}: expected an object`, { field: where })
  const r = raw as Record<string, unknown>
  const executor = r.executor ?? 'ramping-arrival-rate'
  if (executor !== 'ramping-arrival-rate')
    throw configError(
      'LOADTEST_BAD_PROFILE',
      `${where}.executor: only ramping-arrival-rate is supported, got ${JSON.stringify(executor)}`,
      { field: `${where}.executor` },
    )
  const timeUnit = String(r.timeUnit ?? '1s')
  const tu = parseDuration(timeUnit, `${where}.timeUnit`)
  if (tu <= 0)
    throw configError('LOADTEST_BAD_PROFILE', `${where}.timeUnit: must be > 0`, {
      field: `${where}.timeUnit`,
    })
  if (!Array.isArray(r.stages) || r.stages.length === 0)
    throw configError('LOADTEST_BAD_PROFILE', `${where}.stages: expected a non-empty array`, {
      field: `${where}.stages`,
    })
  const stages = r.stages.map((s: unknown, i: number) => {
    const f = `${where}.stages[${i}]`
    if (!s || typeof s !== 'object')
      throw configError('LOADTEST_BAD_PROFILE', `${f}: expected {duration, target}`, { field: f })
    const st = s as Record<string, unknown>
    const duration = st.duration as string | number
    parseDuration(duration, `${f}.duration`)
    return { duration, target: num(st.target, `${f}.target`) }
  })
  const preAllocatedVUs = num(r.preAllocatedVUs ?? 1, `${where}.preAllocatedVUs`, 0)
  const maxVUs = num(r.maxVUs ?? preAllocatedVUs, `${where}.maxVUs`, 1)
  if (!Number.isInteger(preAllocatedVUs) || !Number.isInteger(maxVUs) || maxVUs < preAllocatedVUs)
    throw configError(
      'LOADTEST_BAD_PROFILE',
      `${where}.maxVUs: integers with maxVUs >= preAllocatedVUs required`,
      { field: `${where}.maxVUs` },
    )
  const gracefulStop = String(r.gracefulStop ?? '30s')
  parseDuration(gracefulStop, `${where}.gracefulStop`)
  const thresholds = r.thresholds as Scenario['thresholds']
  if (thresholds !== undefined && (typeof thresholds !== 'object' || thresholds === null))
    throw configError('LOADTEST_BAD_PROFILE', `${where}.thresholds: expected an object`, {
      field: `${where}.thresholds`,
    })
  return {
    executor: 'ramping-arrival-rate',
    startRate: num(r.startRate ?? 0, `${where}.startRate`),
    timeUnit,
    preAllocatedVUs,
    maxVUs,
    gracefulStop,
    stages,
    ...(thresholds ? { thresholds } : {}),
  }
}

export function checkEndpoint(e: string): EndpointName {
  if (e !== 'uor' && e !== 'fs')
    throw configError('LOADTEST_UNKNOWN_ENDPOINT', `unknown endpoint "${e}" (expected uor or fs)`, {
      field: 'endpoint',
    })
  return e
}

/**
 * Resolve `--profile`: a built-in name, or a path to a JSON file holding one scenario or
 * `{uor: scenario, fs: scenario}` (or a whole profile file with one profile).
 */
export function loadScenario(
  profile: string,
  endpoint: EndpointName,
): { name: string; scenario: Scenario } {
  const b = builtin()
  if (b.profiles[profile])
    return { name: profile, scenario: validateScenario(b.profiles[profile][endpoint], profile) }
  if (!/[./\\]/.test(profile))
    throw configError(
      'LOADTEST_UNKNOWN_PROFILE',
      `unknown profile "${profile}" (expected ${Object.keys(b.profiles).join(', ')} or a JSON file)`,
      { field: 'profile' },
    )
  let text: string
  try {
    text = readFileSync(profile, 'utf8')
  } catch {
    throw configError('LOADTEST_UNKNOWN_PROFILE', `profile file not readable: ${profile}`, {
      field: 'profile',
    })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (e) {
    throw configError(
      'LOADTEST_BAD_PROFILE',
      `profile file ${profile} is not JSON: ${(e as Error).message}`,
      { field: 'profile' },
    )
  }
  const d = data as Record<string, unknown>
  const name = profile.replace(/^.*[/\\]/, '').replace(/\.json$/, '')
  if (d && typeof d === 'object' && 'stages' in d)
    return { name, scenario: validateScenario(d, name) }
  if (d && typeof d === 'object' && d[endpoint])
    return { name, scenario: validateScenario(d[endpoint], `${name}.${endpoint}`) }
  throw configError(
    'LOADTEST_BAD_PROFILE',
    `profile file ${profile}: no scenario for endpoint ${endpoint} (expected {stages...} or {${endpoint}: {...}})`,
    { field: 'profile' },
  )
}

export interface ScaleOptions {
  rateScale?: number
  timeScale?: number
  preAllocatedVUs?: number
  maxVUs?: number
}

/** Apply --rate-scale / --time-scale and VU overrides; gracefulStop is not scaled. */
export function scaleScenario(s: Scenario, o: ScaleOptions): Scenario {
  const rs = o.rateScale ?? 1
  const ts = o.timeScale ?? 1
  if (!(rs > 0) || !Number.isFinite(rs))
    throw configError('LOADTEST_BAD_OPTION', `--rate-scale must be a number > 0`, {
      field: 'rateScale',
    })
  if (!(ts > 0) || !Number.isFinite(ts))
    throw configError('LOADTEST_BAD_OPTION', `--time-scale must be a number > 0`, {
      field: 'timeScale',
    })
  const out: Scenario = {
    ...s,
    startRate: s.startRate * rs,
    stages: s.stages.map((st) => ({
      duration: formatDuration(parseDuration(st.duration) * ts),
      target: st.target * rs,
    })),
  }
  if (o.preAllocatedVUs !== undefined) out.preAllocatedVUs = o.preAllocatedVUs
  if (o.maxVUs !== undefined) out.maxVUs = o.maxVUs
  if (out.maxVUs < out.preAllocatedVUs) out.maxVUs = out.preAllocatedVUs
  return validateScenario(out)
}

/** Total length of the stages [s] (without the graceful stop). */
export function scenarioDuration(s: Scenario): number {
  return s.stages.reduce((a, st) => a + parseDuration(st.duration), 0)
}
