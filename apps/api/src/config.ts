/**
 * The API's configuration: ONE schema for every environment variable of `rere api` / `rere start`,
 * parsed once at start. A bad variable fails fast with `NAME=value: reason` (all of them at once).
 * Nothing else in the API reads `process.env`; the CLI passes the environment in here.
 *
 * `apiConfigVariables` lists every variable with its default and description: `rere api --help`,
 * docs/configuration.md and the deployment's compose tests read it.
 */
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { isIP } from 'node:net'
import { AppError } from '@rere/contract'

export type AuthMode = 'local' | 'proxy'
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export interface ApiConfig {
  /** TCP port */ port: number
  /** bind address */ host: string
  /** folder of the embedded database (PGlite) when DATABASE_URL is absent */ dataDir: string
  /** node-postgres URL (through PgBouncer in production); undefined = embedded PGlite */
  databaseUrl?: string
  /** direct Postgres URL for migrations (PgBouncer transaction mode forbids session state) */
  databaseDirectUrl?: string
  /** max connections of the node-postgres pool */ databasePoolMax: number
  /** `rere api`: apply pending migrations at start (`rere start` always does) */
  migrateOnStart: boolean
  /** solver service URL; undefined = in-process solver */ solverUrl?: string
  /** per-call solver timeout [ms] */ solverTimeoutMs: number
  /** in-process solver worker threads */ solverWorkers: number
  /** in-process solver: solve in the API's thread when the sheet's last solve took at most this [ms] */
  solverInlineMaxMs: number
  authMode: AuthMode
  authLocalAllowRemote: boolean
  /** the local user (AUTH_MODE=local) */ authLocalEmail: string
  /** addresses / CIDRs whose identity and X-Forwarded-* headers are believed */
  trustedProxies: string[]
  authAllowedEmailsFile?: string
  /** lower-case emails read from AUTH_ALLOWED_EMAILS_FILE */ authAllowedEmails: string[]
  /** lower-case domains (no @) */ authAllowedDomains: string[]
  /** exact origins (scheme://host[:port]) allowed for CORS and CSRF */ corsOrigins: string[]
  shutdownGraceMs: number
  bodyLimitBytes: number
  logLevel: LogLevel
  /** requests per client per window; 0 disables rate limiting */ rateLimitMax: number
  rateLimitWindowMs: number
  /** solve requests per client per window; 0 disables this limit */ rateLimitSolveMax: number
  /** solve runs kept per flowsheet (older ones are deleted) */ solveRunsKept: number
}

export interface ConfigVariable {
  name: string
  /** default as written in the environment ('' = unset) */
  default: string
  description: string
}

type Env = Record<string, string | undefined>

interface Spec<K extends keyof ApiConfig> extends ConfigVariable {
  key: K
  /** parse a set (non-empty) value; throw Error(reason) when bad */
  parse: (raw: string, env: Env) => ApiConfig[K]
  /** value when unset ('' or absent); may depend on other variables */
  fallback: (env: Env) => ApiConfig[K]
}

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim())) throw new Error(`must be a whole number from ${min} to ${max}`)
    const n = Number(raw.trim())
    if (n < min || n > max) throw new Error(`must be a whole number from ${min} to ${max}`)
    return n
  }
}

function decimal(min: number, max: number) {
  return (raw: string): number => {
    const t = raw.trim()
    const n = Number(t)
    if (!/^\d+(\.\d+)?$/.test(t) || n < min || n > max)
      throw new Error(`must be a number from ${min} to ${max}`)
    return n
  }
}

function bool(raw: string): boolean {
  const v = raw.trim().toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(v)) return true
  if (['false', '0', 'no', 'off'].includes(v)) return false
  throw new Error('must be true or false')
}

function list(raw: string): string[] {
  return raw
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

function postgresUrl(raw: string): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new Error('must be a postgres://user@host:port/database URL')
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    throw new Error('must start with postgres:// or postgresql://')
  return raw
}

function httpUrl(raw: string): string {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    throw new Error('must be an http(s):// URL')
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error('must start with http:// or https://')
  return raw.replace(/\/+$/, '')
}

/** A proxy address or CIDR accepted by proxy-addr (IPv4/IPv6, optional /bits) or a keyword. */
function proxyEntry(entry: string): string {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return entry
  const [addr, bits, extra] = entry.split('/')
  const v = isIP(addr ?? '')
  if (!v || extra !== undefined) throw new Error(`"${entry}" is not an IP address or CIDR`)
  if (bits !== undefined) {
    const max = v === 4 ? 32 : 128
    if (!/^\d+$/.test(bits) || Number(bits) > max)
      throw new Error(`"${entry}" has a bad prefix length`)
  }
  return entry
}

/** CPU quota of the container (cgroup v2 cpu.max, v1 cfs) rounded up, else the CPU count. */
export function defaultWorkers(): number {
  const cpus = Math.max(1, availableParallelism())
  try {
    const [quota, period] = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/)
    if (quota && quota !== 'max' && Number(period) > 0)
      return Math.max(1, Math.min(cpus, Math.ceil(Number(quota) / Number(period))))
  } catch {
    /* not cgroup v2 */
  }
  try {
    const quota = Number(readFileSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us', 'utf8'))
    const period = Number(readFileSync('/sys/fs/cgroup/cpu/cpu.cfs_period_us', 'utf8'))
    if (quota > 0 && period > 0) return Math.max(1, Math.min(cpus, Math.ceil(quota / period)))
  } catch {
    /* not cgroup v1 */
  }
  return cpus
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

// prettier-ignore
const specs = [
  { key: 'port', name: 'PORT', default: '8080', description: 'TCP port of the HTTP server',
    parse: int(0, 65535), fallback: () => 8080 },
  { key: 'host', name: 'HOST', default: '127.0.0.1', description: 'Bind address. With AUTH_MODE=local anything but a loopback address needs AUTH_LOCAL_ALLOW_REMOTE=true',
    parse: (r) => r.trim(), fallback: () => '127.0.0.1' },
  { key: 'dataDir', name: 'DATA_DIR', default: './.rere', description: 'Folder of the embedded database (PGlite), used when DATABASE_URL is not set',
    parse: (r) => r, fallback: () => './.rere' },
  { key: 'databaseUrl', name: 'DATABASE_URL', default: '', description: 'PostgreSQL URL (may point at PgBouncer in transaction mode). Unset: embedded PGlite in DATA_DIR',
    parse: postgresUrl, fallback: () => undefined },
  { key: 'databaseDirectUrl', name: 'DATABASE_DIRECT_URL', default: '', description: 'Direct PostgreSQL URL used only for migrations (bypassing PgBouncer). Unset: DATABASE_URL',
    parse: postgresUrl, fallback: () => undefined },
  { key: 'databasePoolMax', name: 'DATABASE_POOL_MAX', default: '10', description: 'Maximum connections of the API\'s PostgreSQL pool',
    parse: int(1, 1000), fallback: () => 10 },
  { key: 'migrateOnStart', name: 'MIGRATE_ON_START', default: 'false', description: 'rere api: apply pending migrations at start (over DATABASE_DIRECT_URL; concurrent starts wait on a lock). Otherwise run rere migrate; /api/ready/ fails while migrations are pending',
    parse: bool, fallback: () => false },
  { key: 'solverUrl', name: 'SOLVER_URL', default: '', description: 'URL of the solver service (rere solver). Unset: the solver runs in-process (worker threads)',
    parse: httpUrl, fallback: () => undefined },
  { key: 'solverTimeoutMs', name: 'SOLVER_TIMEOUT_MS', default: '30000', description: 'Timeout of one solver call [ms]',
    parse: int(1, 3_600_000), fallback: () => 30_000 },
  { key: 'solverWorkers', name: 'SOLVER_WORKERS', default: '(CPU quota or count)', description: 'Worker threads of the in-process solver. Default: the container\'s CPU quota from cgroups, else the CPU count',
    parse: int(1, 1024), fallback: () => defaultWorkers() },
  { key: 'solverInlineMaxMs', name: 'SOLVER_INLINE_MAX_MS', default: '2', description: 'In-process solver: a sheet whose previous solve (same version) took at most this many ms is solved in the API\'s own thread, saving the hand-off to a worker thread (which costs more than a small solve); 0 = always in a worker',
    parse: decimal(0, 100), fallback: () => 2 },
  { key: 'authMode', name: 'AUTH_MODE', default: 'local', description: 'local: one local user, no sign-on (laptop). proxy: identity from X-Auth-Request-Email / X-Forwarded-Email set by OAuth2 Proxy, believed only from TRUSTED_PROXIES',
    parse: (r) => { const v = r.trim(); if (v !== 'local' && v !== 'proxy') throw new Error('must be local or proxy'); return v }, fallback: () => 'local' },
  { key: 'authLocalAllowRemote', name: 'AUTH_LOCAL_ALLOW_REMOTE', default: 'false', description: 'Allow AUTH_MODE=local on a non-loopback HOST (a private benchmark network only: everyone who reaches the port is the local user)',
    parse: bool, fallback: () => false },
  { key: 'authLocalEmail', name: 'AUTH_LOCAL_EMAIL', default: 'local@rere.localhost', description: 'Email of the local user (AUTH_MODE=local)',
    parse: (r) => { const v = r.trim().toLowerCase(); if (!/^[^\s@]+@[^\s@]+$/.test(v)) throw new Error('must be an email address'); return v }, fallback: () => 'local@rere.localhost' },
  { key: 'trustedProxies', name: 'TRUSTED_PROXIES', default: '', description: 'Comma-separated addresses/CIDRs (or loopback, linklocal, uniquelocal) of the reverse proxies whose X-Forwarded-* and identity headers are believed. Required with AUTH_MODE=proxy',
    parse: (r) => list(r).map(proxyEntry), fallback: () => [] },
  { key: 'authAllowedEmailsFile', name: 'AUTH_ALLOWED_EMAILS_FILE', default: '', description: 'File with one allowed email per line (# comments) for AUTH_MODE=proxy',
    parse: (r) => { readFileSync(r, 'utf8'); return r }, fallback: () => undefined },
  { key: 'authAllowedEmails', name: '', default: '', description: '',
    parse: () => [], fallback: (env) => readEmails(env.AUTH_ALLOWED_EMAILS_FILE) },
  { key: 'authAllowedDomains', name: 'AUTH_ALLOWED_DOMAINS', default: '', description: 'Comma-separated email domains allowed in AUTH_MODE=proxy (e.g. example.org)',
    parse: (r) => list(r).map((d) => { const v = d.toLowerCase().replace(/^@/, ''); if (!/^[a-z0-9.-]+\.[a-z0-9-]+$|^[a-z0-9-]+$/.test(v)) throw new Error(`"${d}" is not a domain`); return v }), fallback: () => [] },
  { key: 'corsOrigins', name: 'CORS_ORIGINS', default: '', description: 'Comma-separated origins (https://host[:port]) allowed for cross-origin requests; also allowed as Origin of state-changing requests (CSRF). Same-origin is always allowed',
    parse: (r) => list(r).map((o) => { let u: URL; try { u = new URL(o) } catch { throw new Error(`"${o}" is not an origin`) } if (u.origin === 'null' || u.origin !== o.replace(/\/$/, '')) throw new Error(`"${o}" is not an origin (scheme://host[:port])`); return u.origin }), fallback: () => [] },
  { key: 'shutdownGraceMs', name: 'SHUTDOWN_GRACE_MS', default: '10000', description: 'On SIGTERM/SIGINT: time to finish in-flight requests before closing [ms]',
    parse: int(0, 3_600_000), fallback: () => 10_000 },
  { key: 'bodyLimitBytes', name: 'BODY_LIMIT_BYTES', default: '2097152', description: 'Largest request body [bytes]; larger ones get 413 API_BODY_TOO_LARGE',
    parse: int(1, 1 << 30), fallback: () => 2 * 1024 * 1024 },
  { key: 'logLevel', name: 'LOG_LEVEL', default: 'info', description: `pino log level: ${LEVELS.join(', ')}`,
    parse: (r) => { const v = r.trim().toLowerCase() as LogLevel; if (!LEVELS.includes(v)) throw new Error(`must be one of ${LEVELS.join(', ')}`); return v }, fallback: () => 'info' },
  { key: 'rateLimitMax', name: 'RATE_LIMIT_MAX', default: '120000', description:
      'Requests per client (signed-in user, else address) per RATE_LIMIT_WINDOW_MS, per API process; 0 disables. Load tests that drive one user harder than this set 0',
    parse: int(0), fallback: () => 120_000 },
  { key: 'rateLimitWindowMs', name: 'RATE_LIMIT_WINDOW_MS', default: '60000', description: 'Window of the rate limits [ms]',
    parse: int(1, 86_400_000), fallback: () => 60_000 },
  { key: 'rateLimitSolveMax', name: 'RATE_LIMIT_SOLVE_MAX', default: '60000', description: 'Solve requests (POST /api/solve/idaes/) per client per window; 0 disables',
    parse: int(0), fallback: () => 60_000 },
  { key: 'solveRunsKept', name: 'SOLVE_RUNS_KEPT', default: '20', description: 'Solve runs kept per flowsheet (older ones are deleted)',
    parse: int(1, 1_000_000), fallback: () => 20 },
] as const satisfies readonly Spec<keyof ApiConfig>[]

function readEmails(file: string | undefined): string[] {
  if (!file) return []
  try {
    return readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .map((l) => l.replace(/#.*/, '').trim().toLowerCase())
      .filter(Boolean)
  } catch {
    return []
  }
}

/** Every environment variable of the API with its default and description. */
export const apiConfigVariables: readonly ConfigVariable[] = specs
  .filter((s) => s.name !== '')
  .map(({ name, default: d, description }) => ({ name, default: d, description }))

/** Variables of the command-line clients (`rere fixture`, `rere token`). */
export const clientConfigVariables: readonly ConfigVariable[] = [
  {
    name: 'RERE_TOKEN',
    default: '',
    description: 'Personal API token used when --token is not given',
  },
  { name: 'RERE_URL', default: '', description: 'API base URL used when --url is not given' },
]

export interface ConfigIssue {
  name: string
  value: string
  reason: string
}

/** Thrown when variables are bad; `message` lists `NAME=value: reason` per line. */
export class ConfigError extends AppError {
  readonly issues: ConfigIssue[]
  constructor(issues: ConfigIssue[]) {
    super(
      'CONFIG_INVALID',
      'invalid configuration:\n' +
        issues.map((i) => `  ${i.name}=${i.value}: ${i.reason}`).join('\n'),
      { statusCode: 500, details: { issues } },
    )
    this.issues = issues
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i

/** Is `host` a loopback bind address? */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host.trim())
}

/**
 * Parse the environment once. `overrides` (e.g. `rere start --port`) win over `env`, as raw strings
 * validated like the variables they stand for. Throws ConfigError listing every bad variable.
 */
export function loadApiConfig(
  env: Env = process.env,
  overrides: Partial<Record<string, string | undefined>> = {},
): ApiConfig {
  const merged: Env = { ...env }
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) merged[k] = v
  const issues: ConfigIssue[] = []
  const out: Record<string, unknown> = {}
  for (const s of specs) {
    const raw = s.name ? merged[s.name] : undefined
    if (raw === undefined || raw.trim() === '') {
      out[s.key] = s.fallback(merged)
      continue
    }
    try {
      out[s.key] = (s.parse as (r: string, e: Env) => unknown)(raw, merged)
    } catch (e) {
      issues.push({ name: s.name, value: raw, reason: e instanceof Error ? e.message : String(e) })
    }
  }
  const c = out as unknown as ApiConfig
  if (issues.length === 0) {
    if (c.authMode === 'local' && !isLoopback(c.host) && !c.authLocalAllowRemote)
      issues.push({
        name: 'HOST',
        value: c.host,
        reason:
          'AUTH_MODE=local serves everyone as the local user: bind a loopback address, or set AUTH_LOCAL_ALLOW_REMOTE=true (private networks only), or use AUTH_MODE=proxy',
      })
    if (c.authMode === 'proxy' && c.trustedProxies.length === 0)
      issues.push({
        name: 'TRUSTED_PROXIES',
        value: merged.TRUSTED_PROXIES ?? '',
        reason: 'AUTH_MODE=proxy needs the addresses of the proxies that set the identity headers',
      })
    if (
      c.authMode === 'proxy' &&
      c.authAllowedEmails.length === 0 &&
      c.authAllowedDomains.length === 0
    )
      issues.push({
        name: 'AUTH_ALLOWED_EMAILS_FILE',
        value: merged.AUTH_ALLOWED_EMAILS_FILE ?? '',
        reason:
          'AUTH_MODE=proxy needs AUTH_ALLOWED_EMAILS_FILE (non-empty) or AUTH_ALLOWED_DOMAINS',
      })
    if (c.databaseDirectUrl && !c.databaseUrl)
      issues.push({
        name: 'DATABASE_DIRECT_URL',
        value: c.databaseDirectUrl,
        reason: 'needs DATABASE_URL as well',
      })
  }
  if (issues.length) throw new ConfigError(issues)
  return c
}

/** The client settings of `rere fixture` / `rere token`. */
export function loadClientConfig(env: Env = process.env): { token?: string; url?: string } {
  const token = env.RERE_TOKEN?.trim() || undefined
  const url = env.RERE_URL?.trim() || undefined
  return { token, url }
}

/** `--help` text listing every variable. */
export function describeVariables(vars: readonly ConfigVariable[] = apiConfigVariables): string {
  const w = Math.max(...vars.map((v) => v.name.length))
  return vars
    .map(
      (v) =>
        `  ${v.name.padEnd(w)}  ${v.description}${v.default ? ` (default: ${v.default})` : ''}`,
    )
    .join('\n')
}
