import type { FastifyInstance } from 'fastify'
import { userIdOf } from '../flowsheets/access.ts'
import * as S from '../routes/schemas.ts'
import type { SolveService } from './solve.service.ts'

export async function solveRoutes(app: FastifyInstance, svc: SolveService) {
  app.post<{ Body: { flowsheet_id: number; debug?: boolean; require_variables_fixed?: boolean } }>(
    '/api/solve/idaes/',
    {
      schema: {
        tags: ['solve'],
        summary: 'Solve a flowsheet (every request solves); 422 when the solver cannot',
        body: {
          type: 'object',
          required: ['flowsheet_id'],
          additionalProperties: false,
          properties: {
            flowsheet_id: S.id,
            debug: { type: 'boolean' },
            require_variables_fixed: { type: 'boolean' },
          },
        },
      },
    },
    async (req, reply) => {
      // the client going away mid-solve aborts the solver call (the response closes unfinished)
      const ac = new AbortController()
      const onClose = () => {
        if (!reply.raw.writableFinished) ac.abort()
      }
      reply.raw.once('close', onClose)
      try {
        const r = await svc.solve(userIdOf(req), req.body.flowsheet_id, {
          requestId: req.id,
          signal: ac.signal,
          debug: req.body.debug === true,
        })
        return reply
          .code(r.status === 'success' ? 200 : 422)
          .type('application/json; charset=utf-8')
          .send(r.json)
      } finally {
        reply.raw.off('close', onClose)
      }
    },
  )
}
