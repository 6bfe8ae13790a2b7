import type { FastifyInstance } from 'fastify'
import type { Solver } from '@rere/contract'
import { userIdOf } from '../flowsheets/access.ts'
import type { CatalogueService } from './catalogue.service.ts'

const tags = ['solver']

export async function catalogueRoutes(
  app: FastifyInstance,
  catalogue: CatalogueService,
  solver: Solver,
) {
  app.get(
    '/api/solver/catalogue/',
    { schema: { tags, summary: 'Unit types: ports, properties, defaults' } },
    async (req) => {
      userIdOf(req)
      return catalogue.get(req.id)
    },
  )

  app.get<{ Querystring: { package?: string; compound?: string } }>(
    '/api/solver/envelope/',
    {
      schema: {
        tags,
        summary: 'Saturation curve for plots (SI)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            package: { type: 'string', enum: ['helmholtz', 'if97'] },
            compound: { type: 'string', enum: ['water', 'h2o'] },
          },
        },
      },
    },
    async (req) => {
      userIdOf(req)
      return solver.envelope(req.query.package ?? 'helmholtz', req.query.compound ?? 'water', {
        requestId: req.id,
      })
    },
  )
}
