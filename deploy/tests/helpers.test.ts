/** The test helpers themselves: the policy evaluator and the Traefik rule parser must fail when they should. */
import { describe, expect, it } from 'vitest'
import { PolicySet, inCidr, selects, type Endpoint } from './lib/netpol.ts'
import { parseRule } from './lib/traefik-v3.ts'

const pod = (name: string, ns = 'rere', ip = '10.42.0.9'): Endpoint => ({
  kind: 'pod',
  namespace: ns,
  labels: { app: name },
  ip,
  namedPorts: { http: 8080 },
})

describe('NetworkPolicy evaluator', () => {
  const deny = {
    metadata: { name: 'd', namespace: 'rere' },
    spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
  }
  const allowIn = {
    metadata: { name: 'a', namespace: 'rere' },
    spec: {
      podSelector: { matchLabels: { app: 'b' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 'http' }] },
      ],
    },
  }
  const allowOut = {
    metadata: { name: 'o', namespace: 'rere' },
    spec: {
      podSelector: { matchLabels: { app: 'a' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'b' } } }] }],
    },
  }

  it('no policy: everything allowed; default deny: nothing', () => {
    expect(new PolicySet([]).allowed(pod('a'), pod('b'), 8080)).toBe(true)
    expect(new PolicySet([deny]).allowed(pod('a'), pod('b'), 8080)).toBe(false)
  })

  it('needs both egress of the source and ingress of the destination', () => {
    expect(new PolicySet([deny, allowIn]).allowed(pod('a'), pod('b'), 8080)).toBe(false)
    expect(new PolicySet([deny, allowOut]).allowed(pod('a'), pod('b'), 8080)).toBe(false)
    expect(new PolicySet([deny, allowIn, allowOut]).allowed(pod('a'), pod('b'), 8080)).toBe(true)
    expect(new PolicySet([deny, allowIn, allowOut]).allowed(pod('a'), pod('b'), 9090)).toBe(false)
    expect(new PolicySet([deny, allowIn, allowOut]).allowed(pod('a'), pod('b'), 8080, 'UDP')).toBe(
      false,
    )
  })

  it('a podSelector alone means the policy namespace; namespaceSelector picks others', () => {
    expect(new PolicySet([allowIn]).allowed(pod('a', 'other'), pod('b'), 8080)).toBe(false)
    const nsIn = structuredClone(allowIn)
    ;(nsIn.spec.ingress[0].from[0] as Record<string, unknown>).namespaceSelector = {
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['other'] }],
    }
    expect(new PolicySet([nsIn]).allowed(pod('a', 'other'), pod('b'), 8080)).toBe(true)
    expect(new PolicySet([nsIn]).allowed(pod('a', 'third'), pod('b'), 8080)).toBe(false)
  })

  it('ipBlock with except', () => {
    const out = {
      metadata: { name: 'i', namespace: 'rere' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }],
      },
    }
    const set = new PolicySet([out])
    expect(set.allowed(pod('a'), { kind: 'external', ip: '8.8.8.8' }, 443)).toBe(true)
    expect(set.allowed(pod('a'), { kind: 'external', ip: '10.1.2.3' }, 443)).toBe(false)
    expect(set.allowed(pod('a'), pod('b'), 443)).toBe(false)
    expect(inCidr('192.168.1.5', '192.168.0.0/16')).toBe(true)
    expect(inCidr('192.169.1.5', '192.168.0.0/16')).toBe(false)
    expect(selects({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, {})).toBe(true)
  })
})

describe('Traefik v3 rule parser', () => {
  it('accepts v3 rules', () => {
    expect(parseRule('Host(`a.org`) && (PathPrefix(`/api/`) || !Method(`OPTIONS`))')).toHaveLength(
      3,
    )
    expect(parseRule('HeaderRegexp(`Authorization`, `^Bearer .+`)')[0].args).toEqual([
      'Authorization',
      '^Bearer .+',
    ])
  })
  it('rejects v2 forms and broken syntax', () => {
    expect(() => parseRule('Host(`a.org`, `b.org`)')).toThrow(/1 argument/)
    expect(() => parseRule('Headers(`X`, `y`)')).toThrow(/unknown v3 matcher/)
    expect(() => parseRule('Host(`a.org`) &&')).toThrow(/incomplete/)
    expect(() => parseRule('Host("a.org")')).toThrow(/backticked/)
    expect(() => parseRule('(Host(`a.org`)')).toThrow(/incomplete/)
  })
})
