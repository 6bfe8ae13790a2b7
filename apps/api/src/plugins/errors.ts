/**
 * Error replies of the API shell: every error leaves as `{statusCode, code, message, details}`;
 * 5xx messages are masked and the full error is logged with the request id. Also the JSON body
 * parser (malformed / too deep / non-finite numbers -> 400 API_BAD_JSON) and the JSON 404.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, isAppError, type ErrorBody } from '@rere/contract'

/** Deepest nesting accepted in a JSON body. */
export const MAX_JSON_DEPTH = 64

/** Parse a JSON body; `undefined` for an empty one. Throws AppError API_BAD_JSON. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new AppError('API_BAD_JSON', `Malformed JSON body: ${(e as Error).message}`, {
      details: { field: 'body' },
    })
  }
  checkJson(value)
  return value
}

/** Reject bodies nested deeper than MAX_JSON_DEPTH, non-finite numbers and prototype keys. */
function checkJson(root: unknown): void {
  const stack: [unknown, string, number][] = [[root, '', 0]]
  while (stack.length) {
    const [v, path, depth] = stack.pop()!
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw new AppError('API_BAD_JSON', `Number out of range at ${path || '(body)'}`, {
          details: { field: path || 'body', path: path || 'body' },
        })
      continue
    }
    if (v === null || typeof v !== 'object') continue
    if (depth >= MAX_JSON_DEPTH)
      throw new AppError('API_BAD_JSON', `JSON body nested deeper than ${MAX_JSON_DEPTH} levels`, {
        details: { field: path || 'body', path: path || 'body' },
      })
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}[${i}]`, depth + 1])
    } else {
      for (const k of Object.keys(v)) {
        if (k === '__proto__' || k === 'constructor' || k === 'prototype')
          throw new AppError('API_BAD_JSON', `Forbidden key "${k}" in JSON body`, {
            details: { field: path ? `${path}.${k}` : k },
          })
        stack.push([(v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1])
      }
    }
  }
}

function body(statusCode: number, code: string, message: string, details = {}): ErrorBody {
  return { statusCode, code, message, details }
}

/**
 * Database errors caused by the request's data (a value PostgreSQL cannot store, a conflicting
 * concurrent write) are the client's 4xx, not a 500.
 */
export function mapDatabaseError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return error
  if (code.startsWith('22'))
    return new AppError('API_VALIDATION', 'A value in the request cannot be stored', {
      details: { field: 'body', sqlstate: code },
      cause: error,
    })
  if (code === '23505' || code === '23503')
    return new AppError('API_CONFLICT', 'The change conflicts with a concurrent one; retry', {
      statusCode: 409,
      details: { sqlstate: code },
      cause: error,
    })
  return error
}

/** Map any thrown error to the reply body. */
export function toErrorBody(error: unknown): ErrorBody {
  if (isAppError(error)) return error.toBody()
  const e = error as FastifyError & { validation?: unknown[]; validationContext?: string }
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(413, 'API_BODY_TOO_LARGE', 'Request body is too large', { field: 'body' })
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return body(415, 'API_UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json)', {
        field: 'content-type',
      })
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return body(400, 'API_BAD_REQUEST', 'Content-Length does not match the body', {
        field: 'content-length',
      })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return body(400, 'API_BAD_JSON', 'Malformed JSON body', { field: 'body' })
  }
  if (Array.isArray(e?.validation)) {
    const first = (e.validation[0] ?? {}) as {
      instancePath?: string
      params?: { missingProperty?: string; additionalProperty?: string }
      message?: string
    }
    const where = e.validationContext ?? 'body'
    const prop = first.params?.missingProperty ?? first.params?.additionalProperty
    const path = (first.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
    const field = [path, prop].filter(Boolean).join('.') || where
    return body(400, 'API_VALIDATION', `${where}.${field} ${first.message ?? 'is invalid'}`, {
      field,
      in: where,
    })
  }
  if (e?.name === 'SyntaxError' && e.statusCode === 400)
    return body(400, 'API_BAD_JSON', 'Malformed JSON body', { field: 'body' })
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500
  if (status === 429) return body(429, 'API_RATE_LIMITED', 'Too many requests', {})
  if (status >= 400 && status < 500)
    return body(status, 'API_BAD_REQUEST', e?.message || 'Bad request', {})
  return body(status >= 500 && status < 600 ? status : 500, 'INTERNAL', 'Internal error', {})
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const b = toErrorBody(mapDatabaseError(error))
  if (b.statusCode >= 500) request.log.error({ err: error }, 'request failed')
  else request.log.debug({ code: b.code }, 'request rejected')
  if (reply.sent) return
  void reply.code(b.statusCode).type('application/json').send(b)
}

/** Install the error handler, the JSON parser and the 404 reply. */
export function installErrorHandling(
  app: FastifyInstance,
  opts: { bodyLimit: number; notFound?: (req: FastifyRequest, reply: FastifyReply) => unknown },
): void {
  app.setErrorHandler(errorHandler)
  app.removeAllContentTypeParsers()
  const parser = (
    _req: unknown,
    text: string | Buffer,
    done: (e: Error | null, b?: unknown) => void,
  ) => {
    try {
      done(null, parseJsonBody(text as string))
    } catch (e) {
      done(e as Error, undefined)
    }
  }
  const parseOpts = { parseAs: 'string' as const, bodyLimit: opts.bodyLimit }
  app.addContentTypeParser('application/json', parseOpts, parser)
  app.addContentTypeParser(/^application\/[a-z0-9.-]+\+json$/i, parseOpts, parser)
  app.setNotFoundHandler(async (request, reply) => {
    if (opts.notFound) {
      const r = await opts.notFound(request, reply)
      if (r !== undefined || reply.sent) return r
    }
    const path = request.url.split('?')[0]
    return reply.code(404).send(
      body(404, 'API_NOT_FOUND', `No route ${request.method} ${path}`, {
        path,
        method: request.method,
      }),
    )
  })
}
