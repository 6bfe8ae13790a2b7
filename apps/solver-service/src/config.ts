/**
 * The solver service's configuration: one schema, parsed once at start. Nothing else in the
 * service reads `process.env`. A bad variable fails fast with `NAME=value: reason`.
 */
import { defaultWorkerCount } from './cpus.ts'

export interface SolverConfig {
  port: number
  host: string
  workers: number
  timeoutMs: number
  bodyLimitBytes: number
  shutdownGraceMs: number
  maxQueue: number
  logLevel: string
}

export interface ConfigVariable {
  name: string
  description: string
  default: string
}

/** Every environment variable `rere solver` reads (for --help, docs and deployment tests). */
export const solverConfigVariables: ConfigVariable[] = [
  { name: 'PORT', description: 'TCP port to listen on', default: '8081' },
  { name: 'HOST', description: 'address to bind (0.0.0.0 in containers)', default: '127.0.0.1' },
  {
    name: 'SOLVER_WORKERS',
    description: 'worker threads solving in parallel',
    default: 'the cgroup CPU quota, else the CPU count',
  },
  { name: 'SOLVER_TIMEOUT_MS', description: 'time limit of one solve [ms]', default: '10000' },
  {
    name: 'SOLVER_MAX_QUEUE',
    description: 'requests waiting for a worker before 503 SOLVER_BUSY',
    default: '256',
  },
  { name: 'BODY_LIMIT_BYTES', description: 'largest request body [bytes]', default: '5242880' },
  {
    name: 'SHUTDOWN_GRACE_MS',
    description: 'on SIGTERM, time to finish in-flight solves [ms]',
    default: '20000',
  },
  { name: 'LOG_LEVEL', description: 'fatal|error|warn|info|debug|trace|silent', default: 'info' },
]

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function loadSolverConfig(env: Record<string, string | undefined>): SolverConfig {
  const problems: string[] = []
  const int = (name: string, def: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return def
    const v = Number(raw)
    if (!Number.isInteger(v) || v < min || v > max) {
      problems.push(`${name}=${raw}: must be an integer from ${min} to ${max}`)
      return def
    }
    return v
  }
  const logLevel = env.LOG_LEVEL || 'info'
  if (!LEVELS.includes(logLevel))
    problems.push(`LOG_LEVEL=${logLevel}: must be one of ${LEVELS.join(', ')}`)
  const config: SolverConfig = {
    port: int('PORT', 8081, 0, 65535),
    host: env.HOST || '127.0.0.1',
    workers: int('SOLVER_WORKERS', defaultWorkerCount(), 1, 256),
    timeoutMs: int('SOLVER_TIMEOUT_MS', 10_000, 10, 3_600_000),
    maxQueue: int('SOLVER_MAX_QUEUE', 256, 0, 1_000_000),
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 20_000, 0, 3_600_000),
    logLevel,
  }
  if (problems.length) throw new ConfigError(problems)
  return config
}
