import { spawnSync } from 'node:child_process'
import { Readable, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { OUTPUT_FIELDS, runArgs, runJsonLines } from './props.ts'

function sink() {
  const chunks: string[] = []
  const w = new Writable({
    write(c, _e, cb) {
      chunks.push(String(c))
      cb()
    },
  })
  return { w, text: () => chunks.join('') }
}

describe('rere props JSON lines', () => {
  it('answers every line, bad lines with {error:{code,message}}, and goes on', async () => {
    const lines = [
      '{"package":"helmholtz","T":353.15,"P":100000}',
      '',
      '{"package":"if97","P":1e6,"h":45000}',
      'not json',
      '{"package":"nope","T":300,"P":1e5}',
      '{"T":300}',
      '{"package":"helmholtz","compound":"h2o","T":"25degC","x":0.5}',
      '{"P":-5,"T":300}',
      '{"T":2000,"P":1e5}',
    ]
    const out = sink()
    const code = await runJsonLines(Readable.from(lines.join('\n') + '\n'), out.w)
    expect(code).toBe(0)
    const replies = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(replies).toHaveLength(8)
    expect(Object.keys(replies[0])).toEqual([...OUTPUT_FIELDS])
    expect(replies[0].h).toBeCloseTo(6036.09, 2)
    expect(replies[0].rho).toBeCloseTo(971.79, 2)
    expect(replies[0].phase).toBe('liquid')
    expect(replies[1].phase).toBe('two-phase')
    expect(replies[1].cp).toBeNull()
    expect(replies[2].error.code).toBe('THERMO_BAD_INPUT')
    expect(replies[3].error).toMatchObject({ code: 'THERMO_BAD_INPUT' })
    expect(replies[3].error.message).toMatch(/package/)
    expect(replies[4].error.code).toBe('THERMO_BAD_INPUT')
    expect(replies[5]).toMatchObject({ x: 0.5, phase: 'two-phase' })
    expect(replies[5].T).toBeCloseTo(298.15, 10)
    expect(replies[6].error.code).toBe('THERMO_BAD_INPUT')
    expect(replies[7].error.code).toBe('THERMO_OUT_OF_RANGE')
    expect(out.text()).not.toMatch(/NaN|Infinity/)
  })
})

describe('rere props KEY=VALUE', () => {
  it('prints a table with unit suffixes accepted', async () => {
    const out = sink()
    const err = sink()
    const code = await runArgs(['T=80degC', 'P=1bar'], { package: 'helmholtz' }, out.w, err.w)
    expect(code).toBe(0)
    expect(out.text()).toMatch(/^h\s+6036\.09\d*\s+J\/mol$/m)
    expect(out.text()).toMatch(/^phase\s+liquid/m)
    const j = sink()
    expect(
      await runArgs(['P=1MPa', 'h=2675kJ/kg'], { json: true, package: 'if97' }, j.w, err.w),
    ).toBe(0)
    const r = JSON.parse(j.text())
    expect(r.hMass).toBeCloseTo(2675e3, 3)
  })
  it('bad usage exits 2 with a message', async () => {
    const out = sink()
    const err = sink()
    expect(await runArgs(['T=80degC', 'P=1furlong'], {}, out.w, err.w)).toBe(2)
    expect(await runArgs(['T80'], {}, out.w, err.w)).toBe(2)
    expect(await runArgs(['T=300', 'Q=1'], {}, out.w, err.w)).toBe(2)
    expect(err.text()).toMatch(/THERMO_BAD_INPUT/)
  })
  it('the rere command: JSON lines on a non-terminal stdin, exit code 2 on bad usage', () => {
    const bin = fileURLToPath(new URL('../../bin/rere.mjs', import.meta.url))
    const j = spawnSync(process.execPath, [bin, 'props'], {
      encoding: 'utf8',
      input: '{"package":"if97","T":300,"P":3e6}\n{"T":1}\n',
    })
    expect(j.status).toBe(0)
    const lines = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(1 / lines[0].rho).toBeCloseTo(0.00100215168, 11)
    expect(lines[1].error.code).toBe('THERMO_BAD_INPUT')
    const bad = spawnSync(process.execPath, [bin, 'props', 'T=abc', 'P=1bar'], {
      encoding: 'utf8',
      input: '',
    })
    expect(bad.status).toBe(2)
  })
})
