import type { FastifyInstance, FastifyReply } from 'fastify'
import { ifMatchOf, notFound, setEtag, userIdOf } from '../flowsheets/access.ts'
import * as S from '../routes/schemas.ts'
import type { LocalWrites } from '../db/local-writes.ts'
import { ObjectListCache, listObjectsJson } from './unitop.repository.ts'
import type { CreateObjectInput, PatchObjectInput, UnitOpService } from './unitop.service.ts'

const tags = ['unitops']

function json(reply: FastifyReply, text: string) {
  return reply.type('application/json; charset=utf-8').send(text)
}

export async function unitopRoutes(
  app: FastifyInstance,
  svc: UnitOpService,
  db: Parameters<typeof listObjectsJson>[0],
  localWrites?: LocalWrites,
) {
  type Q = { Querystring: { flowsheetOwner: number } }
  const lists = new ObjectListCache(1000, localWrites)
  for (const [url, kind, summary] of [
    ['/api/unitops/unitops/', 'units', 'Unit operations of a flowsheet'],
    ['/api/unitops/materialstreams/', 'streams', 'Material streams of a flowsheet'],
  ] as const) {
    app.get<Q>(
      url,
      { schema: { tags, summary, querystring: S.flowsheetOwnerQuery } },
      async (req, reply) => {
        const body = await lists.get(db, userIdOf(req), req.query.flowsheetOwner, kind)
        if (body === undefined)
          throw notFound('Flowsheet', req.query.flowsheetOwner, 'flowsheetOwner')
        return json(reply, body)
      },
    )
  }

  app.post<{ Body: CreateObjectInput }>(
    '/api/unitops/simulationobjects/',
    {
      schema: {
        tags,
        summary: 'Create a unit (from the solver catalogue) or a stream',
        headers: S.ifMatchHeader,
        body: {
          type: 'object',
          required: ['flowsheetOwner', 'objectType'],
          additionalProperties: false,
          properties: {
            flowsheetOwner: S.id,
            objectType: { type: 'string', minLength: 1, maxLength: 60, pattern: S.NO_NUL },
            componentName: S.name,
            x: S.coord,
            y: S.coord,
            args: {
              type: 'object',
              maxProperties: 20,
              additionalProperties: { type: ['number', 'string', 'boolean'] },
            },
            source: { anyOf: [S.id, { type: 'null' }] },
            destination: { anyOf: [S.id, { type: 'null' }] },
          },
        },
      },
    },
    async (req, reply) => {
      const r = await svc.create(userIdOf(req), req.body, ifMatchOf(req))
      setEtag(reply, r.version)
      return json(reply.code(201), r.body)
    },
  )

  app.get<{ Params: { id: number } }>(
    '/api/unitops/simulationobjects/:id/',
    { schema: { tags, summary: 'One simulation object', params: S.idParams } },
    async (req, reply) => json(reply, await svc.get(userIdOf(req), req.params.id)),
  )

  app.patch<{ Params: { id: number }; Body: PatchObjectInput }>(
    '/api/unitops/simulationobjects/:id/',
    {
      schema: {
        tags,
        summary:
          "Rename or move a simulation object, change a unit's args (ports follow), or reconnect a stream",
        params: S.idParams,
        headers: S.ifMatchHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            componentName: S.name,
            x: S.coord,
            y: S.coord,
            args: {
              type: 'object',
              maxProperties: 20,
              additionalProperties: { type: ['number', 'string', 'boolean'] },
            },
            source: { anyOf: [S.id, { type: 'null' }] },
            destination: { anyOf: [S.id, { type: 'null' }] },
          },
        },
      },
    },
    async (req, reply) => {
      const r = await svc.patch(userIdOf(req), req.params.id, req.body, ifMatchOf(req))
      setEtag(reply, r.version)
      return json(reply, r.body)
    },
  )

  app.delete<{ Params: { id: number } }>(
    '/api/unitops/simulationobjects/:id/',
    {
      schema: {
        tags,
        summary:
          'Delete a unit (its ports and properties; its streams are disconnected) or a stream',
        params: S.idParams,
        headers: S.ifMatchHeader,
      },
    },
    async (req, reply) => {
      const r = await svc.remove(userIdOf(req), req.params.id, ifMatchOf(req))
      setEtag(reply, r.version)
      return reply.code(204).send()
    },
  )
}
