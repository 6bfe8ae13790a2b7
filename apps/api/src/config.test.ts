import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, apiConfigVariables, describeVariables, loadApiConfig } from './config.ts'

function issues(env: Record<string, string>): string[] {
  try {
    loadApiConfig(env)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as ConfigError).issues.map((i) => `${i.name}=${i.value}`)
  }
  return []
}

describe('loadApiConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadApiConfig({})
    expect(c.port).toBe(8080)
    expect(c.host).toBe('127.0.0.1')
    expect(c.dataDir).toBe('./.rere')
    expect(c.databaseUrl).toBeUndefined()
    expect(c.authMode).toBe('local')
    expect(c.bodyLimitBytes).toBe(2 * 1024 * 1024)
    expect(c.solverWorkers).toBeGreaterThanOrEqual(1)
    expect(c.solverInlineMaxMs).toBe(2)
    expect(c.rateLimitMax).toBe(120_000)
    expect(c.rateLimitSolveMax).toBe(60_000)
  })

  it('reports every bad variable at once as NAME=value', () => {
    const bad = issues({
      PORT: '80x',
      AUTH_MODE: 'oauth',
      BODY_LIMIT_BYTES: '-1',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      TRUSTED_PROXIES: '10.0.0.0/99',
    })
    expect(bad).toEqual([
      'PORT=80x',
      'DATABASE_URL=mysql://x',
      'AUTH_MODE=oauth',
      'TRUSTED_PROXIES=10.0.0.0/99',
      'BODY_LIMIT_BYTES=-1',
      'LOG_LEVEL=loud',
    ])
    try {
      loadApiConfig({ PORT: '70000' })
    } catch (e) {
      expect((e as Error).message).toContain('PORT=70000: must be a whole number from 0 to 65535')
    }
  })

  it('reads SOLVER_INLINE_MAX_MS as a number of milliseconds from 0 to 100', () => {
    expect(loadApiConfig({ SOLVER_INLINE_MAX_MS: '0' }).solverInlineMaxMs).toBe(0)
    expect(loadApiConfig({ SOLVER_INLINE_MAX_MS: ' 1.5 ' }).solverInlineMaxMs).toBe(1.5)
    for (const v of ['-1', 'fast', '1e3', '101', '.5'])
      expect(issues({ SOLVER_INLINE_MAX_MS: v })).toEqual([`SOLVER_INLINE_MAX_MS=${v}`])
  })

  it('refuses local mode on a non-loopback host unless AUTH_LOCAL_ALLOW_REMOTE=true', () => {
    expect(issues({ HOST: '0.0.0.0' })).toEqual(['HOST=0.0.0.0'])
    expect(loadApiConfig({ HOST: '0.0.0.0', AUTH_LOCAL_ALLOW_REMOTE: 'true' }).host).toBe('0.0.0.0')
    expect(loadApiConfig({ HOST: '::1' }).host).toBe('::1')
  })

  it('needs trusted proxies and an allow list in proxy mode', () => {
    expect(issues({ AUTH_MODE: 'proxy', HOST: '0.0.0.0' })).toEqual([
      'TRUSTED_PROXIES=',
      'AUTH_ALLOWED_EMAILS_FILE=',
    ])
    const dir = mkdtempSync(join(tmpdir(), 'rere-cfg-'))
    const file = join(dir, 'emails')
    writeFileSync(file, '# team\nAlice@Example.org\n\nbob@example.org # b\n')
    const c = loadApiConfig({
      AUTH_MODE: 'proxy',
      HOST: '0.0.0.0',
      TRUSTED_PROXIES: '10.42.0.0/16, ::1,loopback',
      AUTH_ALLOWED_EMAILS_FILE: file,
      AUTH_ALLOWED_DOMAINS: '@Corp.example',
    })
    expect(c.authAllowedEmails).toEqual(['alice@example.org', 'bob@example.org'])
    expect(c.authAllowedDomains).toEqual(['corp.example'])
    expect(c.trustedProxies).toEqual(['10.42.0.0/16', '::1', 'loopback'])
    expect(issues({ AUTH_ALLOWED_EMAILS_FILE: join(dir, 'missing') })).toEqual([
      `AUTH_ALLOWED_EMAILS_FILE=${join(dir, 'missing')}`,
    ])
  })

  it('validates origins and URLs', () => {
    expect(
      loadApiConfig({ CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).corsOrigins,
    ).toEqual(['https://a.example', 'http://localhost:5173'])
    expect(issues({ CORS_ORIGINS: 'https://a.example/path' })).toEqual([
      'CORS_ORIGINS=https://a.example/path',
    ])
    expect(issues({ SOLVER_URL: 'ftp://x' })).toEqual(['SOLVER_URL=ftp://x'])
    expect(loadApiConfig({ SOLVER_URL: 'http://solver:8081/' }).solverUrl).toBe(
      'http://solver:8081',
    )
  })

  it('lets overrides (CLI flags) win and validates them the same way', () => {
    expect(loadApiConfig({ PORT: '1' }, { PORT: '9090' }).port).toBe(9090)
    expect(issues({ PORT: '1' } as Record<string, string>)).toEqual([])
    expect(() => loadApiConfig({}, { PORT: 'abc' })).toThrow(/PORT=abc/)
  })

  it('lists every variable with a description for --help', () => {
    const names = apiConfigVariables.map((v) => v.name)
    for (const n of [
      'PORT',
      'HOST',
      'DATA_DIR',
      'DATABASE_URL',
      'DATABASE_DIRECT_URL',
      'SOLVER_URL',
      'SOLVER_TIMEOUT_MS',
      'SOLVER_WORKERS',
      'AUTH_MODE',
      'AUTH_LOCAL_ALLOW_REMOTE',
      'TRUSTED_PROXIES',
      'AUTH_ALLOWED_EMAILS_FILE',
      'AUTH_ALLOWED_DOMAINS',
      'CORS_ORIGINS',
      'SHUTDOWN_GRACE_MS',
      'BODY_LIMIT_BYTES',
      'LOG_LEVEL',
      'RATE_LIMIT_MAX',
      'SOLVE_RUNS_KEPT',
    ])
      expect(names).toContain(n)
    for (const v of apiConfigVariables) expect(v.description.length).toBeGreaterThan(10)
    expect(describeVariables()).toMatch(/^ {2}PORT +TCP port/m)
  })

  it('is documented in docs/configuration.md with the same defaults', () => {
    const doc = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')
    const api = doc.slice(doc.indexOf('## API'), doc.indexOf('## Solver service'))
    for (const v of apiConfigVariables) {
      const d = v.default ? `\`${v.default}\`` : 'unset'
      expect(api, v.name).toContain(`| \`${v.name}\` | ${d} |`)
    }
  })
})
