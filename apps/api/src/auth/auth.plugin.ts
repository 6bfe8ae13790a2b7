/**
 * Sign-on and access for every /api route (except the public ones: status, ready, docs):
 *  - `Authorization: Bearer rere_...`: a personal API token (both modes);
 *  - AUTH_MODE=local: everyone is the one local user (the server binds loopback by default);
 *  - AUTH_MODE=proxy: the identity headers `X-Auth-Request-Email` / `X-Forwarded-Email` set by
 *    OAuth2 Proxy, believed only when the TCP peer is one of TRUSTED_PROXIES and only for emails in
 *    AUTH_ALLOWED_EMAILS_FILE or AUTH_ALLOWED_DOMAINS; users are created on first sight.
 * No identity -> 401 JSON AUTH_REQUIRED (never a redirect).
 *
 * CSRF: a state-changing request (not GET/HEAD/OPTIONS) authenticated implicitly (local mode or
 * proxy headers, i.e. by the browser's cookies) must come from an allowed Origin: the same host, or
 * one of CORS_ORIGINS. A browser always sends Origin on such requests; a request without Origin
 * that says `Sec-Fetch-Site: cross-site|same-site` is refused too. Bearer-token requests are exempt.
 *
 * Routes read the user with `requireUser(request)` (or `request.user`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { AppError } from '@rere/contract'
import type { ApiConfig } from '../config.ts'
import { createTrust } from './trust.ts'
import type { ShellDb } from './tables.ts'
import { UserDirectory } from './users.ts'
import type { TokenVerifier } from '../tokens/token.service.ts'

export type AuthVia = 'local' | 'proxy' | 'token' | 'warmup'

export interface AuthUser {
  id: number
  email: string
  displayName: string
  via: AuthVia
  /** the token used, when via === 'token' */
  tokenId?: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the signed-in user; null on public routes */
    user: AuthUser | null
  }
  interface FastifyContextConfig {
    /** no sign-on needed (status, ready, docs) */
    public?: boolean
  }
}

/** The signed-in user of a request; throws 401 AUTH_REQUIRED when there is none. */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw authRequired()
  return request.user
}

function authRequired(): AppError {
  return new AppError('AUTH_REQUIRED', 'Sign-on required: no valid identity on this request', {
    statusCode: 401,
  })
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])
const EMAIL_RE = /^[^\s@<>(),;:"[\]\\]{1,64}@[a-z0-9.-]{1,253}$/

/** Is the Host header (name[:port]) localhost, *.localhost or a loopback address? */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false
  let name: string
  try {
    name = new URL(`http://${host}`).hostname.toLowerCase()
  } catch {
    return false
  }
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) ||
    name === '[::1]'
  )
}

/** Is this path one of the public ones? */
export function isPublicPath(url: string | undefined): boolean {
  if (!url) return true
  if (!url.startsWith('/api/')) return true
  return url === '/api/status/' || url === '/api/ready/' || url.startsWith('/api/docs')
}

export interface AuthOptions {
  config: ApiConfig
  db: ShellDb
  tokens: TokenVerifier
  /** in-process secret of the warm-up requests (`x-rere-warmup`): they act as user 0, who owns
   * nothing, so they exercise the routes and their queries without reading or writing data */
  warmupSecret?: string
}

export function createEmailPolicy(config: ApiConfig): (email: string) => boolean {
  const emails = new Set(config.authAllowedEmails)
  const domains = config.authAllowedDomains
  return (email) => {
    if (emails.has(email)) return true
    const domain = email.slice(email.lastIndexOf('@') + 1)
    return domains.includes(domain)
  }
}

/** Origin check for implicitly authenticated state-changing requests. */
export function csrfAllowed(request: FastifyRequest, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin
  if (origin === undefined) {
    const site = request.headers['sec-fetch-site']
    return site === undefined || site === 'same-origin' || site === 'none'
  }
  if (corsOrigins.includes(origin)) return true
  try {
    const o = new URL(origin)
    if (!o.host || !request.host) return false
    // the request's own host, normalised like the Origin (default ports dropped)
    return o.host === new URL(`${o.protocol}//${request.host}`).host
  } catch {
    return false
  }
}

export async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<UserDirectory> {
  const { config, db } = opts
  const users = new UserDirectory(db)
  const trusted = createTrust(config.trustedProxies)
  const allowed = createEmailPolicy(config)

  app.decorateRequest('user', null)

  /** the last Host header found to be a loopback name (the local sign-on's check, remembered) */
  let loopbackHost: string | undefined

  /**
   * The request's identity. Synchronous when it is known without I/O (the local user once loaded,
   * the warm-up), a promise otherwise (tokens, users not yet seen).
   */
  function identify(request: FastifyRequest): AuthUser | null | Promise<AuthUser | null> {
    if (opts.warmupSecret && request.headers['x-rere-warmup'] === opts.warmupSecret)
      return { id: 0, email: 'warmup@rere.internal', displayName: 'warm-up', via: 'warmup' }
    const authz = request.headers.authorization
    if (authz !== undefined) {
      const m = /^Bearer[ ]+(\S+)\s*$/i.exec(authz)
      if (!m)
        throw new AppError('AUTH_TOKEN_INVALID', 'Authorization must be "Bearer <token>"', {
          statusCode: 401,
          details: { field: 'authorization' },
        })
      return opts.tokens.verify(m[1]).then((t): AuthUser => {
        // proxy mode: a token is only as good as its owner's place on the allow list
        if (config.authMode === 'proxy' && !allowed(t.email))
          throw new AppError('AUTH_FORBIDDEN', `${t.email} is no longer allowed to use this Rere`, {
            statusCode: 403,
            details: { field: 'email' },
          })
        return {
          id: t.userId,
          email: t.email,
          displayName: t.displayName,
          via: 'token',
          tokenId: t.tokenId,
        }
      })
    }
    if (config.authMode === 'local') {
      // DNS rebinding: a foreign name resolving to 127.0.0.1 must not act as the local user
      const host = request.host
      if (!config.authLocalAllowRemote && host !== loopbackHost) {
        if (!isLoopbackHost(host))
          throw new AppError(
            'AUTH_HOST_REFUSED',
            'Local sign-on answers only requests addressed to localhost or a loopback address',
            { statusCode: 403, details: { field: 'host' } },
          )
        loopbackHost = host
      }
      const known = users.known(config.authLocalEmail)
      if (known) return { ...known, via: 'local' }
      return users
        .ensure(config.authLocalEmail, 'Local user')
        .then((u): AuthUser => ({ ...u, via: 'local' }))
    }
    // proxy mode: believe the identity headers only from a trusted peer
    if (!trusted(request.socket.remoteAddress)) {
      if (request.headers['x-auth-request-email'] || request.headers['x-forwarded-email'])
        request.log.warn(
          { peer: request.socket.remoteAddress },
          'identity header from an untrusted peer ignored',
        )
      return null
    }
    const raw = request.headers['x-auth-request-email'] ?? request.headers['x-forwarded-email']
    if (raw === undefined) return null
    const email = (Array.isArray(raw) ? raw[0] : raw).trim().toLowerCase()
    if (!EMAIL_RE.test(email))
      throw new AppError('AUTH_BAD_IDENTITY', 'The identity header is not an email address', {
        statusCode: 401,
        details: { field: 'x-auth-request-email' },
      })
    if (!allowed(email))
      throw new AppError('AUTH_FORBIDDEN', `${email} is not allowed to use this Rere`, {
        statusCode: 403,
        details: { field: 'email' },
      })
    const name =
      (request.headers['x-auth-request-preferred-username'] as string | undefined) ??
      (request.headers['x-forwarded-preferred-username'] as string | undefined) ??
      (request.headers['x-auth-request-user'] as string | undefined)
    const known = users.known(email)
    if (known) return { ...known, via: 'proxy' }
    return users.ensure(email, name).then((u): AuthUser => ({ ...u, via: 'proxy' }))
  }

  /** Let the request in as `user` (or refuse it); the end of the sign-on hook. */
  function admit(request: FastifyRequest, user: AuthUser | null, done: (err?: Error) => void) {
    if (!user) return done(authRequired())
    request.user = user
    if (
      user.via !== 'token' &&
      !SAFE.has(request.method) &&
      !csrfAllowed(request, config.corsOrigins)
    )
      return done(
        new AppError(
          'AUTH_CSRF',
          'Cross-site request refused: the Origin is neither this site nor one of CORS_ORIGINS',
          { statusCode: 403, details: { field: 'origin' } },
        ),
      )
    done()
  }

  // callback-style: a known identity (the local user, a user seen before) is admitted without a
  // promise or a microtask; tokens and first sightings wait for their lookup
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method === 'OPTIONS') return done()
    if (isPublicPath(request.routeOptions.url) || request.routeOptions.config?.public) return done()
    let who: AuthUser | null | Promise<AuthUser | null>
    try {
      who = identify(request)
    } catch (e) {
      return done(e as Error)
    }
    if (who instanceof Promise)
      who.then(
        (user) => admit(request, user, done),
        (e: Error) => done(e),
      )
    else admit(request, who, done)
  })

  app.get(
    '/api/me/',
    {
      schema: {
        tags: ['identity'],
        summary: 'Who am I',
        response: {
          200: {
            type: 'object',
            properties: {
              id: { type: 'integer' },
              email: { type: 'string' },
              displayName: { type: 'string' },
              authMode: { type: 'string' },
              via: { type: 'string' },
            },
          },
        },
      },
    },
    async (request) => {
      const u = requireUser(request)
      return {
        id: u.id,
        email: u.email,
        displayName: u.displayName,
        authMode: config.authMode,
        via: u.via,
      }
    },
  )
  return users
}
