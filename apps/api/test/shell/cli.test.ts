/** The CLI around the embedded database: migrate, backup/restore (refused while held), config errors. */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/db/index.ts'

const rere = fileURLToPath(new URL('../../../cli/bin/rere.mjs', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'rere-cli-'))

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [rere, ...args],
      { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', ...env }, timeout: 90_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

async function emails(dataDir: string): Promise<string[]> {
  const d = await openDatabase({ dataDir })
  try {
    const rows = await d.db.selectFrom('users').select('email').orderBy('email').execute()
    return rows.map((r) => r.email)
  } finally {
    await d.close()
  }
}

async function addUser(dataDir: string, email: string) {
  const d = await openDatabase({ dataDir })
  try {
    await d.db.insertInto('users').values({ email, display_name: email }).execute()
  } finally {
    await d.close()
  }
}

describe('rere migrate / backup / restore (embedded database)', { timeout: 180_000 }, () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const dir = join(root, 'data')
  const file = join(root, 'backup.tar.gz')

  it('migrate --status lists pending migrations, migrate applies them', async () => {
    const before = await cli(['migrate', '--status', '--data-dir', dir])
    expect(before.code).toBe(1)
    expect(JSON.parse(before.stdout).pending[0]).toMatch(/^0001/)
    const m = await cli(['migrate', '--data-dir', dir])
    expect(m.code, m.stderr).toBe(0)
    expect(JSON.parse(m.stdout).applied.length).toBeGreaterThan(0)
  })

  it('backs up, refuses while a server holds the folder, and restores', async () => {
    await addUser(dir, 'before@example.test')
    const b = await cli(['backup', file, '--data-dir', dir])
    expect(b.code, b.stderr).toBe(0)
    expect(existsSync(file)).toBe(true)
    await addUser(dir, 'after@example.test')

    // a live process (this test runner) holds the folder
    writeFileSync(join(dir, 'rere.pid'), String(process.pid))
    for (const args of [
      ['backup', join(root, 'other.tar.gz')],
      ['restore', file],
    ]) {
      const r = await cli([...args, '--data-dir', dir])
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/in use by process \d+/)
    }
    rmSync(join(dir, 'rere.pid'))

    const r = await cli(['restore', file, '--data-dir', dir])
    expect(r.code, r.stderr).toBe(0)
    expect(await emails(dir)).toEqual(['before@example.test'])
    const missing = await cli(['restore', join(root, 'nope.tgz'), '--data-dir', dir])
    expect(missing.code).toBe(2)
  })

  it('refuses bad configuration with NAME=value and exit 2 before touching anything', async () => {
    const r = await cli(['start', '--host', '0.0.0.0', '--data-dir', join(root, 'never')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('HOST=0.0.0.0: AUTH_MODE=local')
    const p = await cli(['api'], { PORT: 'eighty', AUTH_MODE: 'sso' })
    expect(p.code).toBe(2)
    expect(p.stderr).toContain('PORT=eighty')
    expect(p.stderr).toContain('AUTH_MODE=sso')
    expect(existsSync(join(root, 'never'))).toBe(false)
  })

  it('documents every variable in rere api --help', async () => {
    const h = await cli(['api', '--help'])
    for (const v of [
      'DATABASE_URL',
      'TRUSTED_PROXIES',
      'AUTH_ALLOWED_EMAILS_FILE',
      'SHUTDOWN_GRACE_MS',
    ])
      expect(h.stdout).toContain(v)
  })
})
