import { describe, expect, it } from 'vitest'
import { ConfigError, loadSolverConfig, solverConfigVariables } from './config.ts'
import { cpuQuotaFromCgroup } from './cpus.ts'

describe('solver config', () => {
  it('has defaults for every variable', () => {
    const c = loadSolverConfig({ SOLVER_WORKERS: '3' })
    expect(c).toMatchObject({
      port: 8081,
      host: '127.0.0.1',
      workers: 3,
      timeoutMs: 10_000,
      logLevel: 'info',
    })
    expect(solverConfigVariables.map((v) => v.name)).toEqual(
      expect.arrayContaining([
        'PORT',
        'HOST',
        'SOLVER_WORKERS',
        'SOLVER_TIMEOUT_MS',
        'BODY_LIMIT_BYTES',
        'SHUTDOWN_GRACE_MS',
        'LOG_LEVEL',
      ]),
    )
  })

  it('fails fast naming every bad variable as NAME=value', () => {
    let err: unknown
    try {
      loadSolverConfig({ PORT: 'eighty', SOLVER_WORKERS: '0', LOG_LEVEL: 'loud' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(/^LOG_LEVEL=loud/)
    expect(problems.some((p) => p.startsWith('PORT=eighty'))).toBe(true)
    expect(problems.some((p) => p.startsWith('SOLVER_WORKERS=0'))).toBe(true)
  })
})

describe('cgroup CPU quota', () => {
  it('reads cgroup v2 cpu.max', () => {
    expect(cpuQuotaFromCgroup({ cpuMax: '200000 100000\n' })).toBe(2)
    expect(cpuQuotaFromCgroup({ cpuMax: '150000 100000' })).toBe(2)
    expect(cpuQuotaFromCgroup({ cpuMax: '50000 100000' })).toBe(1)
    expect(cpuQuotaFromCgroup({ cpuMax: 'max 100000' })).toBeNull()
  })
  it('reads cgroup v1 cfs quota and period', () => {
    expect(cpuQuotaFromCgroup({ cfsQuota: '400000', cfsPeriod: '100000' })).toBe(4)
    expect(cpuQuotaFromCgroup({ cfsQuota: '-1', cfsPeriod: '100000' })).toBeNull()
    expect(cpuQuotaFromCgroup({})).toBeNull()
  })
})
