/** OpenAPI 3 description of every route (`GET /api/docs/json`) and Swagger UI at `/api/docs`. */
import type { FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Rere API',
        version,
        description:
          'Flowsheets, unit operations, streams, properties and solves. Errors are ' +
          '`{statusCode, code, message, details}` (docs/errors.md). Sign-on: the local user ' +
          '(AUTH_MODE=local), the identity proxy (AUTH_MODE=proxy) or `Authorization: Bearer rere_...`.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      security: [{ bearer: [] }],
    },
  })
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    uiConfig: { docExpansion: 'list', deepLinking: false },
    staticCSP: true,
  })
}
