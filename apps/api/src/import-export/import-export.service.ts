/**
 * Import and export of whole sheets (Rere format, Ahuora FlowsheetSchema) and duplication.
 */
import { sql, type Kysely } from 'kysely'
import { AppError } from '@rere/contract'
import type { DB } from '../db/schema.ts'
import type { CatalogueService } from '../catalogue/catalogue.service.ts'
import { notFound, type Db } from '../flowsheets/access.ts'
import {
  checkCompounds,
  type FlowsheetService,
  type FlowsheetView,
} from '../flowsheets/flowsheet.service.ts'
import { PACKAGES } from '../catalogue/catalogue.service.ts'
import { buildSolverDocument, loadSheet } from '../solve/document.ts'
import { insertObject } from '../unitops/unitop.repository.ts'
import { graphFromAhuora, graphFromRere, toRereDocument, type Graph } from './formats.ts'

export type Format = 'rere' | 'ahuora'

export class ImportExportService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly flowsheets: FlowsheetService,
    private readonly catalogue: CatalogueService,
  ) {}

  async export(userId: number, id: number, format: Format) {
    const sheet = await loadSheet(this.db, userId, id)
    if (!sheet) throw notFound('Flowsheet', id)
    return format === 'ahuora' ? buildSolverDocument(sheet) : toRereDocument(sheet)
  }

  async import(
    userId: number,
    format: Format,
    document: unknown,
    name?: string,
  ): Promise<FlowsheetView> {
    let graph: Graph
    if (format === 'ahuora') {
      let cat
      try {
        cat = await this.catalogue.get()
      } catch {
        cat = undefined
      }
      graph = graphFromAhuora(document, cat)
    } else graph = graphFromRere(document)
    if (name !== undefined) graph.name = name
    return this.db.transaction().execute(async (trx) => {
      const id = await importGraph(trx, userId, graph, this.flowsheets)
      return this.flowsheets.get(userId, id, trx)
    })
  }

  async duplicate(userId: number, id: number, name?: string): Promise<FlowsheetView> {
    const sheet = await loadSheet(this.db, userId, id)
    if (!sheet) throw notFound('Flowsheet', id)
    const graph = graphFromRere(toRereDocument(sheet))
    graph.name = name ?? `${sheet.flowsheet.name} (copy)`
    return this.db.transaction().execute(async (trx) => {
      const newId = await importGraph(trx, userId, graph, this.flowsheets)
      return this.flowsheets.get(userId, newId, trx)
    })
  }
}

/** Deep-copy `args`, mapping `property_package` references to the new package ids. */
function remapPackages(v: unknown, map: Map<string, number>, fallback: number): unknown {
  if (Array.isArray(v)) return v.map((x) => remapPackages(x, map, fallback))
  if (v === null || typeof v !== 'object') return v
  const out: Record<string, unknown> = {}
  for (const [k, x] of Object.entries(v)) {
    if (k === 'property_package' && (typeof x === 'number' || typeof x === 'string'))
      out[k] = map.get(String(x)) ?? (x === -1 || x === '-1' ? fallback : x)
    else out[k] = remapPackages(x, map, fallback)
  }
  return out
}

/** Insert `graph` as a new flowsheet of `userId` (inside `trx`); returns its id. */
export async function importGraph(
  trx: Db,
  userId: number,
  graph: Graph,
  flowsheets: FlowsheetService,
): Promise<number> {
  for (const [i, p] of graph.packages.entries()) {
    if (!(PACKAGES as readonly string[]).includes(p.name))
      throw new AppError(
        'API_IMPORT_INVALID',
        `Unknown property package "${p.name}"; known: ${PACKAGES.join(', ')}`,
        {
          details: { field: 'document', path: `propertyPackages[${i}].name` },
        },
      )
    checkCompounds(p.compounds, `propertyPackages[${i}].compounds`)
  }
  const pkgs = graph.packages.length
    ? graph.packages
    : [{ ref: '-1', name: 'helmholtz', compounds: ['water'], phases: ['Liq', 'Vap'] }]
  const { id: fsId, packageIds } = await flowsheets.insert(trx, userId, graph.name, pkgs, {
    meta: graph.meta,
  })
  const pkgMap = new Map(pkgs.map((p, i) => [p.ref, packageIds[i]]))
  const objectIds = new Map<string, number>()
  const portIds = new Map<string, number>()
  const propIds = new Map<string, number>()
  const refs = new Set<string>()
  for (const o of graph.objects) {
    if (refs.has(o.ref))
      throw new AppError('API_IMPORT_INVALID', `object ref ${o.ref} is used twice`, {
        details: { field: 'document', path: `objects.${o.ref}` },
      })
    refs.add(o.ref)
    const keys = new Set<string>()
    for (const p of o.properties) {
      const k = `${p.key}${JSON.stringify(p.indexes ?? null)}${p.atInlet ? '@inlet' : ''}`
      if (keys.has(k))
        throw new AppError(
          'API_IMPORT_INVALID',
          `property ${p.key} appears twice on ${o.componentName}`,
          {
            details: { field: 'document', path: `objects.${o.ref}.properties.${p.key}` },
          },
        )
      keys.add(k)
    }
    const created = await insertObject(trx, {
      flowsheetId: fsId,
      objectType: o.objectType,
      componentName: o.componentName || o.objectType,
      x: o.x,
      y: o.y,
      args: remapPackages(o.args, pkgMap, packageIds[0]) as Record<string, unknown>,
      ports: o.ports,
      properties: o.properties.map((p) => ({ ...p, controlledId: null })),
    })
    objectIds.set(o.ref, created.id)
    o.ports.forEach((p, i) => portIds.set(p.ref, created.ports[i].id))
    o.properties.forEach((p, i) => propIds.set(p.ref, created.propertyIds[i]))
  }
  // joins: port -> stream
  const joins: { port: number; stream: number; direction: string; ref: string }[] = []
  for (const o of graph.objects)
    for (const p of o.ports) {
      if (p.stream === null) continue
      const stream = objectIds.get(p.stream)
      const so = graph.objects.find((x) => x.ref === p.stream)
      if (stream === undefined || so?.objectType !== 'stream')
        throw new AppError(
          'API_IMPORT_INVALID',
          `port ${p.ref} names stream ${p.stream}, which is not a stream of the document`,
          {
            details: { field: 'document', path: `objects.${o.ref}.ports.${p.name}.stream` },
          },
        )
      joins.push({ port: portIds.get(p.ref)!, stream, direction: p.direction, ref: p.stream })
    }
  const seen = new Set<string>()
  for (const j of joins) {
    const k = `${j.stream}:${j.direction}`
    if (seen.has(k))
      throw new AppError('API_IMPORT_INVALID', `stream ${j.ref} joins two ${j.direction} ports`, {
        details: { field: 'document', path: `streams.${j.ref}` },
      })
    seen.add(k)
    await trx.updateTable('ports').set({ stream_id: j.stream }).where('id', '=', j.port).execute()
  }
  // expressions get ids in the property id space so `id_N` stays unambiguous
  const exprIds = new Map<string, number>()
  const expressions = []
  for (const e of graph.expressions) {
    const r = await sql<{
      id: number
    }>`select nextval('property_infos_id_seq')::bigint as id`.execute(trx)
    const id = Number(r.rows[0].id)
    exprIds.set(e.ref, id)
    expressions.push({ id, name: e.name, expression: e.expression })
  }
  const newIdOf = (n: string): number | undefined => {
    const r = graph.formulaIds ? graph.formulaIds[n] : n
    if (r === undefined) return undefined
    return propIds.get(r) ?? exprIds.get(r)
  }
  const remap = (text: string) =>
    text.replace(/\bid_(\d+)\b/g, (m, n: string) => {
      const id = newIdOf(n)
      return id === undefined ? m : `id_${id}`
    })
  if (expressions.length) {
    for (const e of expressions) e.expression = remap(e.expression)
    await trx
      .updateTable('flowsheets')
      .set({ expressions: JSON.stringify(expressions) })
      .where('id', '=', fsId)
      .execute()
  }
  for (const o of graph.objects)
    for (const p of o.properties) {
      const id = propIds.get(p.ref)!
      const set: Record<string, unknown> = {}
      if (p.constraint) set.constraint_expr = remap(p.constraint)
      if (p.controlled !== null) {
        const target = propIds.get(p.controlled)
        if (target !== undefined) set.controlled_id = target
      }
      if (Object.keys(set).length)
        await trx.updateTable('property_infos').set(set).where('id', '=', id).execute()
    }
  return fsId
}
