/**
 * Import and export of whole sheets: every water case of the Ahuora builder tests comes in and
 * goes out as the same flowsheet (compared after normalising ids); Rere's format round-trips
 * losslessly; duplicate copies; bad documents get 400 naming the path.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, type TestUser } from '../harness.ts'
import { createDomainSolver } from './domain-solver.ts'
import { createPumpSheet, ok } from './fixture.ts'

const DATA = '/work/shared/data/ahuora-builder-tests'
const WATER = [
  'pump',
  'pump_unit_conversions',
  'compressor',
  'constraints',
  'control',
  'elimination',
  'expressions',
  'header',
  'heat_exchanger',
  'heat_pump',
  'mass_flow_tear',
  'mixer',
  'recycle',
  'vapor_frac_target',
]
const load = (name: string) => JSON.parse(readFileSync(`${DATA}/${name}.json`, 'utf8')) as AhuoraDoc

interface Data {
  id: number
  value?: number | number[] | null
  guess?: boolean
  constraint?: string
  controlled?: number | null
  discrete_indexes?: (string | number)[]
}
type Props = Record<string, { data: Data[]; unit?: string | null }>
interface AhuoraDoc {
  name?: string
  unit_models: {
    id: number
    type: string
    name: string
    args?: Record<string, unknown>
    properties?: Props
    ports: Record<string, { id: number; properties?: Props }>
  }[]
  arcs: { id: number; source: number; destination: number }[]
  expressions?: { id: number; name: string; expression: string }[]
}

/**
 * An id-free view of an Ahuora document: property values by unit/port/key, arcs by port names,
 * formulas with `id_N` replaced by what N names.
 */
function normalise(doc: AhuoraDoc) {
  const where = new Map<number, string>()
  const portName = new Map<number, string>()
  for (const u of doc.unit_models)
    for (const [pn, p] of Object.entries(u.ports)) portName.set(p.id, `${u.name}.${pn}`)
  const visit = (props: Props | undefined, f: (key: string, d: Data, unit: string) => void) => {
    for (const [key, p] of Object.entries(props ?? {}))
      for (const d of p.data)
        f(
          d.discrete_indexes?.length ? `${key}[${d.discrete_indexes.join(',')}]` : key,
          d,
          p.unit || 'dimensionless',
        )
  }
  for (const u of doc.unit_models) {
    visit(u.properties, (k, d) => where.set(d.id, where.get(d.id) ?? `${u.name}:${k}`))
    for (const [pn, p] of Object.entries(u.ports))
      visit(p.properties, (k, d) => where.set(d.id, where.get(d.id) ?? `${u.name}.${pn}:${k}`))
  }
  for (const e of doc.expressions ?? []) where.set(e.id, `expr:${e.name}`)
  const formula = (s: string | undefined) =>
    s?.replace(/\bid_(\d+)\b/g, (_m, n: string) => `{${where.get(Number(n)) ?? '?' + n}}`)
  const values: Record<string, unknown> = {}
  const add = (label: string, d: Data, unit: string) => {
    const v = Array.isArray(d.value) ? d.value[0] : d.value
    values[label] =
      v === undefined || v === null
        ? { value: null }
        : {
            unit,
            value: v,
            guess: d.guess === true,
            ...(d.constraint ? { constraint: formula(d.constraint) } : {}),
            ...(d.controlled != null ? { controlled: where.get(d.controlled) } : {}),
          }
  }
  const units: Record<string, unknown> = {}
  for (const u of doc.unit_models) {
    const { property_package: _pp, ...args } = u.args ?? {}
    const stripSides = Object.fromEntries(
      Object.entries(args).map(([k, v]) => [
        k,
        v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).filter(([kk]) => kk !== 'property_package'))
          : v,
      ]),
    )
    units[u.name] = { type: u.type, args: stripSides, ports: Object.keys(u.ports).sort() }
    visit(u.properties, (k, d, unit) => add(`${u.name}:${k}`, d, unit))
    for (const [pn, p] of Object.entries(u.ports))
      visit(p.properties, (k, d, unit) => add(`${u.name}.${pn}:${k}`, d, unit))
  }
  return {
    units,
    arcs: doc.arcs
      .map((a) => {
        const { id: _id, source, destination, ...rest } = a as typeof a & Record<string, unknown>
        return { from: portName.get(source), to: portName.get(destination), ...rest }
      })
      .sort((a, b) => String(a.from).localeCompare(String(b.from))),
    values,
    expressions: (doc.expressions ?? []).map((e) => ({
      name: e.name,
      expression: formula(e.expression),
    })),
  }
}

let t: TestApp
let alice: TestUser
beforeAll(async () => {
  t = await createTestApp({ solver: createDomainSolver() })
  alice = t.user('alice@example.test')
})
afterAll(() => t?.close())

describe('Ahuora FlowsheetSchema import and export', () => {
  it.each(WATER)('%s.json comes in and goes out as the same flowsheet', async (name) => {
    const original = load(name)
    const f = await ok<{ id: number; name: string; version: number }>(
      alice,
      'POST',
      '/api/flowsheets/import/',
      { format: 'ahuora', document: original },
    )
    expect(f.name).toBe(original.name ?? 'Imported flowsheet')
    const out = await ok<AhuoraDoc>(alice, 'GET', `/api/flowsheets/${f.id}/export/?format=ahuora`)
    expect(normalise(out)).toEqual(normalise(original))
    // every port joins a stream after import (arcs, feeds and products)
    const units = await ok<{ ports: { streamId: number | null }[] }[]>(
      alice,
      'GET',
      `/api/unitops/unitops/?flowsheetOwner=${f.id}`,
    )
    expect(units.flatMap((u) => u.ports).every((p) => p.streamId !== null)).toBe(true)
    const streams = await ok<unknown[]>(
      alice,
      'GET',
      `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`,
    )
    const ports = original.unit_models.reduce((n, u) => n + Object.keys(u.ports).length, 0)
    expect(streams).toHaveLength(ports - original.arcs.length)
  })

  it('keeps values in the document units and gives their SI equivalents', async () => {
    const f = await ok<{ id: number }>(alice, 'POST', '/api/flowsheets/import/', {
      format: 'ahuora',
      name: 'conversions',
      document: load('pump_unit_conversions'),
    })
    const streams = await ok<
      {
        properties: {
          contained_properties: {
            key: string
            unit: string
            value: number
            valueSI: number
            fixed: boolean
          }[]
        }
      }[]
    >(alice, 'GET', `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`)
    const all = streams.flatMap((s) => s.properties.contained_properties)
    const p = all.find((x) => x.unit === 'atm')!
    expect(p).toMatchObject({ key: 'pressure', value: 108.56155934, fixed: true })
    expect(p.valueSI).toBeCloseTo(108.56155934 * 101325, 3)
    const flow = all.find((x) => x.unit === 'mol/min')!
    expect(flow.valueSI).toBeCloseTo(25860 / 60, 9)
    const bar = all.find((x) => x.unit === 'bar')!
    expect(bar.valueSI).toBeCloseTo(22e6, 3)
  })

  it('refuses malformed documents with 400 naming the path, creating nothing', async () => {
    const before = (await ok<unknown[]>(alice, 'GET', '/api/flowsheets/')).length
    const pump = load('pump')
    const cases: [unknown, string][] = [
      [{ unit_models: 'no' }, 'document.unit_models'],
      [
        { ...pump, unit_models: [{ ...pump.unit_models[0], ports: 5 }] },
        'document.unit_models[0].ports',
      ],
      [{ ...pump, arcs: [{ id: 1, source: 999, destination: 2 }] }, 'document.arcs[0].source'],
      [
        {
          ...pump,
          arcs: [
            { id: 1, source: 3, destination: 1 },
            { id: 2, source: 3, destination: 2 },
          ],
        },
        'document.arcs[1].source',
      ],
      [
        {
          ...pump,
          unit_models: [
            {
              ...pump.unit_models[0],
              properties: { efficiency_pump: { data: [{ id: 1, value: 'fast' }] } },
            },
          ],
        },
        'document.unit_models[0].properties.efficiency_pump.data[0].value',
      ],
      [
        { ...pump, property_packages: [{ id: 1, type: 'peng-robinson', compounds: ['propane'] }] },
        'propertyPackages[0].name',
      ],
    ]
    for (const [document, path] of cases) {
      const r = await alice.inject({
        method: 'POST',
        url: '/api/flowsheets/import/',
        payload: { format: 'ahuora', document: document as object },
      })
      expect(r.statusCode, `${path}: ${r.body}`).toBe(400)
      expect(r.json()).toMatchObject({
        code: 'API_IMPORT_INVALID',
        details: { field: 'document', path },
      })
    }
    const wrong = await alice.inject({
      method: 'POST',
      url: '/api/flowsheets/import/',
      payload: { format: 'xml', document: {} },
    })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json().details.field).toBe('format')
    expect((await ok<unknown[]>(alice, 'GET', '/api/flowsheets/')).length).toBe(before)
  })
})

/** A Rere document with its references renumbered in order of appearance. */
function canonical(doc: unknown): unknown {
  const seen = new Map<string, string>()
  const rename = (r: unknown) => {
    if (r === null || r === undefined) return r
    const k = String(r)
    if (!seen.has(k)) seen.set(k, `#${seen.size}`)
    return seen.get(k)
  }
  const d = structuredClone(doc) as {
    propertyPackages: { ref: string }[]
    objects: {
      ref: string
      args: Record<string, unknown>
      ports: { ref: string; stream: string | null }[]
      properties: { ref: string; controlled: string | null; constraint: string | null }[]
    }[]
    expressions: { ref: string; expression: string }[]
  }
  for (const p of d.propertyPackages) p.ref = rename(p.ref) as string
  for (const o of d.objects) {
    o.ref = rename(o.ref) as string
    if (typeof o.args.property_package === 'number')
      o.args.property_package = rename(o.args.property_package)
  }
  for (const o of d.objects) {
    for (const p of o.ports) {
      p.ref = rename(`port:${p.ref}`) as string
      p.stream = rename(p.stream) as string | null
    }
    for (const p of o.properties) p.ref = rename(p.ref) as string
  }
  for (const e of d.expressions) e.ref = rename(e.ref) as string
  const f = (s: string) => s.replace(/\bid_(\d+)\b/g, (_m, n: string) => `id_${rename(n)}`)
  for (const o of d.objects)
    for (const p of o.properties) {
      p.controlled = rename(p.controlled) as string | null
      if (p.constraint) p.constraint = f(p.constraint)
    }
  for (const e of d.expressions) e.expression = f(e.expression)
  return d
}

describe('Rere format and duplicate', () => {
  it('round-trips losslessly (positions, units, flags, links, formulas)', async () => {
    const f = await createPumpSheet(alice, 'rere')
    const imported = await ok<{ id: number }>(alice, 'POST', '/api/flowsheets/import/', {
      format: 'ahuora',
      document: load('constraints'),
    })
    for (const id of [f.id, imported.id]) {
      const doc = await ok<{ format: string; formatVersion: number; name: string }>(
        alice,
        'GET',
        `/api/flowsheets/${id}/export/?format=rere`,
      )
      expect(doc).toMatchObject({ format: 'rere', formatVersion: 1 })
      const copy = await ok<{ id: number; name: string }>(
        alice,
        'POST',
        '/api/flowsheets/import/',
        { format: 'rere', document: doc },
      )
      expect(copy.name).toBe(doc.name)
      const again = await ok<unknown>(
        alice,
        'GET',
        `/api/flowsheets/${copy.id}/export/?format=rere`,
      )
      expect(canonical(again)).toEqual(canonical(doc))
    }
  })

  it('duplicates a sheet under a new name, independent of the original', async () => {
    const f = await createPumpSheet(alice, 'dup')
    const copy = await ok<{ id: number; name: string; version: number }>(
      alice,
      'POST',
      `/api/flowsheets/${f.id}/duplicate/`,
      { name: 'dup 2' },
    )
    expect(copy).toMatchObject({ name: 'dup 2', version: 1 })
    const a = await ok<unknown>(alice, 'GET', `/api/flowsheets/${f.id}/export/?format=rere`)
    const b = await ok<{ name: string }>(
      alice,
      'GET',
      `/api/flowsheets/${copy.id}/export/?format=rere`,
    )
    expect(canonical({ ...b, name: 'x' })).toEqual(canonical({ ...(a as object), name: 'x' }))
    const unnamed = await ok<{ name: string }>(alice, 'POST', `/api/flowsheets/${f.id}/duplicate/`)
    expect(unnamed.name).toBe('dup (copy)')
    await ok(alice, 'DELETE', `/api/flowsheets/${f.id}/`, undefined, 204)
    expect(
      await ok<unknown>(alice, 'GET', `/api/flowsheets/${copy.id}/export/?format=rere`),
    ).toEqual(b)
  })
})
