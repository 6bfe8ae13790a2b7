/**
 * Minimal strict JSON schemas (draft 2020-12 subset, checked with ajv) for the Traefik v3
 * traefik.io/v1alpha1 fields used by deploy/k8s, written after Traefik v3's Kubernetes CRD
 * reference (Middleware: forwardAuth, errors, headers, ipAllowList; IngressRoute: entryPoints,
 * routes, tls). Unknown fields are errors, so a v2-only or misspelt field fails.
 * Also a parser of v3 router rules (`match`): v3 matchers take exactly one backticked argument
 * per call except Header/HeaderRegexp/Query/QueryRegexp (two); `Headers(`/`HostHeader(` (v2) fail.
 */
const str = { type: 'string', minLength: 1 }
const strList = { type: 'array', items: str, minItems: 1 }
const serviceRef = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'port'],
  properties: {
    name: str,
    namespace: str,
    port: { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, str] },
    kind: { enum: ['Service', 'TraefikService'] },
  },
}

export const middlewareSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'traefik.io/v1alpha1' },
    kind: { const: 'Middleware' },
    spec: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
      properties: {
        forwardAuth: {
          type: 'object',
          additionalProperties: false,
          required: ['address'],
          properties: {
            address: { type: 'string', pattern: '^https?://' },
            trustForwardHeader: { type: 'boolean' },
            authResponseHeaders: strList,
            authRequestHeaders: strList,
            authResponseHeadersRegex: str,
            addAuthCookiesToResponse: strList,
          },
        },
        errors: {
          type: 'object',
          additionalProperties: false,
          required: ['status', 'service', 'query'],
          properties: {
            status: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', pattern: '^[1-5][0-9]{2}(-[1-5][0-9]{2})?$' },
            },
            service: serviceRef,
            query: { type: 'string', pattern: '^/' },
          },
        },
        headers: {
          type: 'object',
          additionalProperties: false,
          properties: {
            customRequestHeaders: { type: 'object', additionalProperties: { type: 'string' } },
            customResponseHeaders: { type: 'object', additionalProperties: { type: 'string' } },
            accessControlAllowOriginList: {
              type: 'array',
              items: { type: 'string', pattern: '^https?://[^/]+$' },
            },
            accessControlAllowMethods: strList,
            accessControlAllowHeaders: strList,
            accessControlExposeHeaders: strList,
            accessControlAllowCredentials: { type: 'boolean' },
            accessControlMaxAge: { type: 'integer', minimum: 0 },
            addVaryHeader: { type: 'boolean' },
          },
        },
        ipAllowList: {
          type: 'object',
          additionalProperties: false,
          required: ['sourceRange'],
          properties: { sourceRange: strList },
        },
      },
    },
  },
}

export const ingressRouteSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'traefik.io/v1alpha1' },
    kind: { const: 'IngressRoute' },
    spec: {
      type: 'object',
      additionalProperties: false,
      required: ['routes'],
      properties: {
        entryPoints: strList,
        routes: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'match', 'services'],
            properties: {
              kind: { const: 'Rule' },
              match: str,
              priority: { type: 'integer', minimum: 1 },
              middlewares: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['name'],
                  properties: { name: str, namespace: str },
                },
              },
              services: { type: 'array', minItems: 1, items: serviceRef },
            },
          },
        },
        tls: {
          type: 'object',
          additionalProperties: false,
          properties: { secretName: str, certResolver: str, options: { type: 'object' } },
        },
      },
    },
  },
}

const matcherArity: Record<string, number> = {
  Host: 1,
  HostRegexp: 1,
  Path: 1,
  PathPrefix: 1,
  PathRegexp: 1,
  Method: 1,
  ClientIP: 1,
  Header: 2,
  HeaderRegexp: 2,
  Query: 2,
  QueryRegexp: 2,
}

/** Parse a v3 rule; returns the matcher calls, throws on bad syntax. */
export function parseRule(rule: string): { name: string; args: string[] }[] {
  const calls: { name: string; args: string[] }[] = []
  let i = 0
  let depth = 0
  let expectOperand = true
  const skip = () => {
    while (rule[i] === ' ') i++
  }
  while (true) {
    skip()
    if (i >= rule.length) break
    if (expectOperand) {
      if (rule[i] === '!') {
        i++
        continue
      }
      if (rule[i] === '(') {
        depth++
        i++
        continue
      }
      const m = /^([A-Za-z]+)\(/.exec(rule.slice(i))
      if (!m) throw new Error(`expected a matcher at ${i}: ${rule}`)
      const name = m[1]
      if (!(name in matcherArity)) throw new Error(`unknown v3 matcher ${name}: ${rule}`)
      i += m[0].length
      const args: string[] = []
      while (true) {
        skip()
        if (rule[i] !== '`') throw new Error(`expected a backticked argument at ${i}: ${rule}`)
        const end = rule.indexOf('`', i + 1)
        if (end < 0) throw new Error(`unterminated argument: ${rule}`)
        args.push(rule.slice(i + 1, end))
        i = end + 1
        skip()
        if (rule[i] === ',') {
          i++
          continue
        }
        if (rule[i] === ')') {
          i++
          break
        }
        throw new Error(`expected , or ) at ${i}: ${rule}`)
      }
      if (args.length !== matcherArity[name])
        throw new Error(`${name} takes ${matcherArity[name]} argument(s) in v3: ${rule}`)
      calls.push({ name, args })
      expectOperand = false
    } else {
      if (rule[i] === ')') {
        if (--depth < 0) throw new Error(`unbalanced ): ${rule}`)
        i++
        continue
      }
      if (rule.startsWith('&&', i) || rule.startsWith('||', i)) {
        i += 2
        expectOperand = true
        continue
      }
      throw new Error(`expected && or || at ${i}: ${rule}`)
    }
  }
  if (expectOperand || depth !== 0) throw new Error(`incomplete rule: ${rule}`)
  return calls
}
