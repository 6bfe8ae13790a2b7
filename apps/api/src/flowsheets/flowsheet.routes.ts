import type { FastifyInstance } from 'fastify'
import { COMPOUNDS } from '../catalogue/catalogue.service.ts'
import type { ImportExportService } from '../import-export/import-export.service.ts'
import type { SolveService } from '../solve/solve.service.ts'
import * as S from '../routes/schemas.ts'
import { ifMatchOf, setEtag, userIdOf } from './access.ts'
import type { FlowsheetService, PackageInput } from './flowsheet.service.ts'

const tags = ['flowsheets']

export async function flowsheetRoutes(
  app: FastifyInstance,
  svc: { flowsheets: FlowsheetService; io: ImportExportService; solve: SolveService },
): Promise<void> {
  const { flowsheets, io, solve } = svc
  type IdP = { Params: { id: number } }

  app.get('/api/flowsheets/', { schema: { tags, summary: 'List my flowsheets' } }, async (req) =>
    flowsheets.list(userIdOf(req)),
  )

  app.post<{ Body: { name: string; propertyPackage?: PackageInput } }>(
    '/api/flowsheets/',
    {
      schema: {
        tags,
        summary: 'Create a flowsheet (default package helmholtz/water)',
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: S.name,
            propertyPackage: {
              type: 'object',
              additionalProperties: false,
              required: ['name'],
              properties: { name: S.packageName, compounds: S.compounds },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const f = await flowsheets.create(userIdOf(req), req.body.name, req.body.propertyPackage)
      setEtag(reply, f.version)
      return reply.code(201).send(f)
    },
  )

  app.get<IdP>(
    '/api/flowsheets/:id/',
    { schema: { tags, summary: 'One flowsheet (ETag: its version)', params: S.idParams } },
    async (req, reply) => {
      const f = await flowsheets.get(userIdOf(req), req.params.id)
      setEtag(reply, f.version)
      return f
    },
  )

  app.patch<IdP & { Body: { name: string } }>(
    '/api/flowsheets/:id/',
    {
      schema: {
        tags,
        summary: 'Rename a flowsheet (If-Match honoured)',
        params: S.idParams,
        headers: S.ifMatchHeader,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: S.name },
        },
      },
    },
    async (req, reply) => {
      const f = await flowsheets.rename(userIdOf(req), req.params.id, req.body.name, ifMatchOf(req))
      setEtag(reply, f.version)
      return f
    },
  )

  app.delete<IdP>(
    '/api/flowsheets/:id/',
    { schema: { tags, summary: 'Delete a flowsheet and everything in it', params: S.idParams } },
    async (req, reply) => {
      await flowsheets.remove(userIdOf(req), req.params.id, ifMatchOf(req))
      return reply.code(204).send()
    },
  )

  app.post<IdP & { Body: { name?: string } | undefined }>(
    '/api/flowsheets/:id/duplicate/',
    {
      schema: {
        tags,
        summary: 'Copy a flowsheet',
        params: S.idParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: { name: S.name },
        },
      },
    },
    async (req, reply) => {
      const f = await io.duplicate(userIdOf(req), req.params.id, req.body?.name)
      setEtag(reply, f.version)
      return reply.code(201).send(f)
    },
  )

  app.get<IdP & { Querystring: { format?: 'rere' | 'ahuora' } }>(
    '/api/flowsheets/:id/export/',
    {
      schema: {
        tags,
        summary: 'The whole sheet as one JSON document (rere: lossless; ahuora: FlowsheetSchema)',
        params: S.idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { format: { type: 'string', enum: ['rere', 'ahuora'] } },
        },
      },
    },
    async (req) => io.export(userIdOf(req), req.params.id, req.query.format ?? 'rere'),
  )

  app.post<{ Body: { format: 'rere' | 'ahuora'; name?: string; document: unknown } }>(
    '/api/flowsheets/import/',
    {
      schema: {
        tags,
        summary: 'Create a flowsheet from a Rere or Ahuora document',
        body: {
          type: 'object',
          required: ['format', 'document'],
          additionalProperties: false,
          properties: {
            format: { type: 'string', enum: ['rere', 'ahuora'] },
            name: S.name,
            document: { type: 'object' },
          },
        },
      },
    },
    async (req, reply) => {
      const f = await io.import(userIdOf(req), req.body.format, req.body.document, req.body.name)
      setEtag(reply, f.version)
      return reply.code(201).send(f)
    },
  )

  app.get<IdP>(
    '/api/flowsheets/:id/analysis/',
    { schema: { tags, summary: 'Degrees of freedom per unit and sheet', params: S.idParams } },
    async (req) => solve.analyze(userIdOf(req), req.params.id, { requestId: req.id }),
  )

  app.get<IdP>(
    '/api/flowsheets/:id/results/',
    { schema: { tags, summary: 'The latest completed solve result', params: S.idParams } },
    async (req) => flowsheets.results(userIdOf(req), req.params.id),
  )

  app.get<IdP>(
    '/api/flowsheets/:id/solves/',
    {
      schema: { tags, summary: 'Solve runs kept for this sheet, newest first', params: S.idParams },
    },
    async (req) => flowsheets.solves(userIdOf(req), req.params.id),
  )

  app.get<IdP>(
    '/api/flowsheets/:id/propertypackages/',
    { schema: { tags, summary: 'Property packages of a sheet', params: S.idParams } },
    async (req) => flowsheets.packages(userIdOf(req), req.params.id),
  )

  app.patch<{ Params: { id: number; ppId: number }; Body: PackageInput }>(
    '/api/flowsheets/:id/propertypackages/:ppId/',
    {
      schema: {
        tags,
        summary: 'Change a property package',
        params: {
          type: 'object',
          required: ['id', 'ppId'],
          additionalProperties: false,
          properties: { id: S.id, ppId: S.id },
        },
        headers: S.ifMatchHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { name: S.packageName, compounds: S.compounds },
        },
      },
    },
    async (req, reply) => {
      const r = await flowsheets.patchPackage(
        userIdOf(req),
        req.params.id,
        req.params.ppId,
        req.body,
        ifMatchOf(req),
      )
      setEtag(reply, r.version)
      return r.body
    },
  )

  app.get('/api/compounds/', { schema: { tags, summary: 'Compounds Rere knows' } }, async (req) => {
    userIdOf(req)
    return COMPOUNDS
  })
}
