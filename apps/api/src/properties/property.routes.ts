import type { FastifyInstance } from 'fastify'
import { ifMatchOf, notFound, setEtag, userIdOf } from '../flowsheets/access.ts'
import * as S from '../routes/schemas.ts'
import { propertyJson } from '../unitops/unitop.repository.ts'
import type { PatchPropertyInput, PropertyService } from './property.service.ts'

const tags = ['properties']

export async function propertyRoutes(
  app: FastifyInstance,
  svc: PropertyService,
  db: Parameters<typeof propertyJson>[0],
) {
  app.get<{ Params: { id: number } }>(
    '/api/core/propertyinfo/:id/',
    { schema: { tags, summary: 'One property value', params: S.idParams } },
    async (req, reply) => {
      const body = await propertyJson(db, userIdOf(req), req.params.id)
      if (body === undefined) throw notFound('Property', req.params.id)
      return reply.type('application/json; charset=utf-8').send(body)
    },
  )

  app.patch<{ Params: { id: number }; Body: PatchPropertyInput }>(
    '/api/core/propertyinfo/:id/',
    {
      schema: {
        tags,
        summary: 'Set a property value (in its unit), its unit, or whether it is fixed or a guess',
        params: S.idParams,
        headers: S.ifMatchHeader,
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            value: {
              anyOf: [{ type: 'number', minimum: -1e300, maximum: 1e300 }, { type: 'null' }],
            },
            unit: { type: 'string', minLength: 1, maxLength: 60, pattern: S.NO_NUL },
            fixed: { type: 'boolean' },
            guess: { type: 'boolean' },
            constraint: {
              anyOf: [{ type: 'string', maxLength: 2000, pattern: S.NO_NUL }, { type: 'null' }],
            },
            controlled: { anyOf: [S.id, { type: 'null' }] },
          },
        },
      },
    },
    async (req, reply) => {
      const r = await svc.patch(userIdOf(req), req.params.id, req.body, ifMatchOf(req))
      setEtag(reply, r.version)
      return reply.type('application/json; charset=utf-8').send(r.body)
    },
  )
}
