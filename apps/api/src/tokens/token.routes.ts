/** GET/POST /api/tokens/, DELETE /api/tokens/{id}/: the signed-in user's personal API tokens. */
import type { FastifyInstance } from 'fastify'
import { AppError } from '@rere/contract'
import { requireUser } from '../auth/auth.plugin.ts'
import type { ShellDb } from '../auth/tables.ts'
import {
  createToken,
  listTokens,
  parseTokenInput,
  revokeToken,
  type TokenVerifier,
} from './token.service.ts'

const tokenView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    prefix: { type: 'string' },
    createdAt: { type: ['string', 'null'] },
    expiresAt: { type: ['string', 'null'] },
    lastUsedAt: { type: ['string', 'null'] },
    revokedAt: { type: ['string', 'null'] },
  },
} as const

export async function tokenRoutes(
  app: FastifyInstance,
  opts: { db: ShellDb; verifier: TokenVerifier },
): Promise<void> {
  const { db, verifier } = opts
  app.get(
    '/api/tokens/',
    {
      schema: {
        tags: ['tokens'],
        summary: 'List your API tokens',
        response: { 200: { type: 'array', items: tokenView } },
      },
    },
    async (request) => listTokens(db, requireUser(request).id),
  )

  app.post(
    '/api/tokens/',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token (the token is shown once)',
        body: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            expiresAt: { type: ['string', 'null'], description: 'ISO 8601 date-time' },
            expiresInDays: { type: ['number', 'null'] },
          },
        },
        response: {
          201: {
            type: 'object',
            properties: { ...tokenView.properties, token: { type: 'string' } },
          },
        },
      },
      // the body is checked by parseTokenInput (codes naming the field)
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const user = requireUser(request)
      const input = parseTokenInput(request.body)
      const created = await createToken(db, user.id, input)
      return reply.code(201).send(created)
    },
  )

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id/',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Revoke an API token',
        params: { type: 'object', properties: { id: { type: 'string' } } },
      },
    },
    async (request, reply) => {
      const user = requireUser(request)
      const raw = request.params.id
      if (!/^\d{1,15}$/.test(raw) || Number(raw) > 2_147_483_647)
        throw new AppError('API_NOT_FOUND', `Token ${raw} not found`, {
          statusCode: 404,
          details: { field: 'id' },
        })
      await revokeToken(db, user.id, Number(raw))
      verifier.forget(Number(raw))
      return reply.code(204).send()
    },
  )
}
