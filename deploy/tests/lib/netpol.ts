/**
 * A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics) for allow/deny matrices:
 * traffic from A to B on port P is allowed when A's egress allows it (or no policy with
 * policyType Egress selects A) AND B's ingress allows it (or no Ingress policy selects B).
 * Supports podSelector / namespaceSelector (matchLabels, matchExpressions In/NotIn/Exists/
 * DoesNotExist), ipBlock with except, named and numbered ports, endPort, protocols.
 */
import type { Obj } from './render.ts'

export interface PodEndpoint {
  kind: 'pod'
  namespace: string
  labels: Record<string, string>
  ip: string
  /** container ports by name (named ports in policies resolve against the destination) */
  namedPorts?: Record<string, number>
}
export interface ExternalEndpoint {
  kind: 'external'
  ip: string
}
export type Endpoint = PodEndpoint | ExternalEndpoint

export interface Selector {
  matchLabels?: Record<string, string>
  matchExpressions?: { key: string; operator: string; values?: string[] }[]
}

export function selects(sel: Selector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key)
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(labels[e.key])) return false
        break
      case 'NotIn':
        if (has && (e.values ?? []).includes(labels[e.key])) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
      default:
        throw new Error(`unknown selector operator ${e.operator}`)
    }
  }
  return true
}

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number)
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255))
    throw new Error(`not an IPv4 address: ${ip}`)
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0
}

export function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/')
  const bits = Number(bitsText)
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  return (ipToInt(ip) & mask) >>> 0 === (ipToInt(net) & mask) >>> 0
}

const nsLabels = (ns: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': ns })

function peerMatches(peer: Obj, policyNs: string, ep: Endpoint): boolean {
  if (peer.ipBlock) {
    // ipBlock applies to addresses outside the cluster's pods (as CNI plugins treat pod IPs
    // of the cluster: here pods are in 10.42.0.0/16 and the blocks except private ranges)
    if (!inCidr(ep.ip, peer.ipBlock.cidr)) return false
    return !(peer.ipBlock.except ?? []).some((c: string) => inCidr(ep.ip, c))
  }
  if (ep.kind !== 'pod') return false
  if (peer.namespaceSelector) {
    if (!selects(peer.namespaceSelector, nsLabels(ep.namespace))) return false
  } else if (ep.namespace !== policyNs) return false
  return peer.podSelector ? selects(peer.podSelector, ep.labels) : true
}

function portMatches(ports: Obj[] | undefined, port: number, protocol: string, dst: Endpoint) {
  if (!ports || ports.length === 0) return true
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false
    if (p.port === undefined) return true
    let n: number | undefined
    if (typeof p.port === 'number') n = p.port
    else n = dst.kind === 'pod' ? dst.namedPorts?.[p.port] : undefined
    if (n === undefined) return false
    return p.endPort ? port >= n && port <= p.endPort : port === n
  })
}

function policyTypes(p: Obj): string[] {
  if (p.spec.policyTypes) return p.spec.policyTypes
  return p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']
}

export class PolicySet {
  constructor(private readonly policies: Obj[]) {}

  private selecting(ep: PodEndpoint, type: 'Ingress' | 'Egress'): Obj[] {
    return this.policies.filter(
      (p) =>
        (p.metadata.namespace ?? 'default') === ep.namespace &&
        policyTypes(p).includes(type) &&
        selects(p.spec.podSelector, ep.labels),
    )
  }

  egressAllowed(src: Endpoint, dst: Endpoint, port: number, protocol: string): boolean {
    if (src.kind !== 'pod') return true
    const ps = this.selecting(src, 'Egress')
    if (ps.length === 0) return true
    return ps.some((p) =>
      (p.spec.egress ?? []).some(
        (r: Obj) =>
          (!r.to ||
            r.to.length === 0 ||
            r.to.some((peer: Obj) => peerMatches(peer, p.metadata.namespace, dst))) &&
          portMatches(r.ports, port, protocol, dst),
      ),
    )
  }

  ingressAllowed(src: Endpoint, dst: Endpoint, port: number, protocol: string): boolean {
    if (dst.kind !== 'pod') return true
    const ps = this.selecting(dst, 'Ingress')
    if (ps.length === 0) return true
    return ps.some((p) =>
      (p.spec.ingress ?? []).some(
        (r: Obj) =>
          (!r.from ||
            r.from.length === 0 ||
            r.from.some((peer: Obj) => peerMatches(peer, p.metadata.namespace, src))) &&
          portMatches(r.ports, port, protocol, dst),
      ),
    )
  }

  allowed(src: Endpoint, dst: Endpoint, port: number, protocol = 'TCP'): boolean {
    return (
      this.egressAllowed(src, dst, port, protocol) && this.ingressAllowed(src, dst, port, protocol)
    )
  }
}
