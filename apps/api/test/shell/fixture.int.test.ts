/** `rere fixture create-pump` / `delete` against a real app (listening on a port), real solver. */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness.ts'

const rere = fileURLToPath(new URL('../../../cli/bin/rere.mjs', import.meta.url))

// asynchronous: the server under test runs in this process's event loop
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [rere, ...args],
      { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('rere fixture', () => {
  let t: TestApp
  let url: string
  let token: string
  beforeAll(async () => {
    t = await createTestApp()
    url = await t.app.listen({ port: 0, host: '127.0.0.1' })
    token = (await t.tokenUser('loadtest@example.test', { name: 'fixture' })).token
  })
  afterAll(() => t?.close())

  it('create-pump builds the pump sheet through the API; it solves; delete removes it', async () => {
    const created = await cli(['fixture', 'create-pump', '--url', url], { RERE_TOKEN: token })
    expect(created.code, created.stderr).toBe(0)
    const out = JSON.parse(created.stdout)
    expect(out).toMatchObject({ id: expect.any(Number), pumpId: expect.any(Number) })
    expect(out.streams.map((s: { name: string }) => s.name)).toEqual(['S1', 'S2'])

    const user = t.bearer(token)
    const sheet = await user.inject({ url: `/api/flowsheets/${out.id}/` })
    expect(sheet.statusCode).toBe(200)
    expect(sheet.json().propertyPackage).toMatchObject({ name: 'helmholtz', compounds: ['water'] })
    const units = (
      await user.inject({ url: `/api/unitops/unitops/?flowsheetOwner=${out.id}` })
    ).json()
    expect(units).toHaveLength(1)
    expect(units[0]).toMatchObject({ objectType: 'pump', componentName: 'Pump-1' })
    const eff = units[0].properties.contained_properties.find(
      (p: { key: string }) => p.key === 'efficiency_pump',
    )
    expect(eff.valueSI).toBeCloseTo(0.5, 12)
    const streams = (
      await user.inject({ url: `/api/unitops/materialstreams/?flowsheetOwner=${out.id}` })
    ).json()
    const s1 = streams.find((s: { componentName: string }) => s.componentName === 'S1')
    const byKey = (o: { properties: { contained_properties: { key: string }[] } }, k: string) =>
      o.properties.contained_properties.find((p) => p.key === k) as unknown as {
        valueSI: number
        fixed: boolean
      }
    expect(byKey(s1, 'temperature').valueSI).toBeCloseTo(353.15, 9)
    expect(byKey(s1, 'pressure').valueSI).toBeCloseTo(100_000, 6)
    expect(byKey(s1, 'flow_mol').valueSI).toBeCloseTo(1000, 9)
    const s2 = streams.find((s: { componentName: string }) => s.componentName === 'S2')
    expect(byKey(s2, 'pressure')).toMatchObject({ fixed: true })
    expect(byKey(s2, 'pressure').valueSI).toBeCloseTo(200_000, 6)

    // over real HTTP (not inject): a solve must not be cancelled once the body is read
    const solved = await fetch(`${url}/api/solve/idaes/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ flowsheet_id: out.id }),
    })
    const solvedBody = await solved.text()
    expect(solved.status, solvedBody).toBe(200)
    expect(JSON.parse(solvedBody).status).toBe('success')

    const deleted = await cli([
      'fixture',
      'delete',
      '--url',
      url,
      '--id',
      String(out.id),
      '--token',
      token,
    ])
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(JSON.parse(deleted.stdout)).toEqual({ deleted: out.id })
    expect((await user.inject({ url: `/api/flowsheets/${out.id}/` })).statusCode).toBe(404)
  })

  it('fails with a clear message and exit 1 without a valid token', async () => {
    const r = await cli(['fixture', 'create-pump', '--url', url], { RERE_TOKEN: 'rere_nope' })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/401 AUTH_TOKEN_INVALID/)
    const bad = await cli(['fixture', 'delete', '--url', url, '--id', 'x'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/not a flowsheet id/)
  })

  it('rere token create|list|revoke work over HTTP', async () => {
    const c = await cli([
      'token',
      'create',
      '--url',
      url,
      '--name',
      'cli',
      '--expires-in-days',
      '7',
      '--token',
      token,
    ])
    expect(c.code, c.stderr).toBe(0)
    const created = JSON.parse(c.stdout)
    expect(created.token).toMatch(/^rere_/)
    const l = await cli(['token', 'list', '--url', url], { RERE_TOKEN: created.token })
    expect(JSON.parse(l.stdout).map((x: { name: string }) => x.name)).toContain('cli')
    expect(l.stdout).not.toContain(created.token)
    const r = await cli(['token', 'revoke', String(created.id), '--url', url, '--token', token])
    expect(r.code, r.stderr).toBe(0)
    const after = await cli(['token', 'list', '--url', url], { RERE_TOKEN: created.token })
    expect(after.code).toBe(1)
    expect(after.stderr).toMatch(/AUTH_TOKEN_REVOKED/)
  })
})
