/**
 * Which peers are trusted proxies (TRUSTED_PROXIES): addresses, CIDRs and the keywords
 * `loopback`, `linklocal`, `uniquelocal` (as proxy-addr / Fastify's trustProxy understand them).
 */
import { BlockList, isIP } from 'node:net'

const KEYWORDS: Record<string, [string, number, 'ipv4' | 'ipv6'][]> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  linklocal: [
    ['169.254.0.0', 16, 'ipv4'],
    ['fe80::', 10, 'ipv6'],
  ],
  uniquelocal: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
}

/** Strip the IPv4-mapped IPv6 prefix (`::ffff:10.0.0.1` -> `10.0.0.1`). */
export function normalizeAddress(addr: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr)
  return m ? m[1] : addr
}

/** A predicate telling whether a socket peer address is one of `entries`. */
export function createTrust(entries: readonly string[]): (addr: string | undefined) => boolean {
  if (entries.length === 0) return () => false
  const list = new BlockList()
  for (const entry of entries) {
    const kw = KEYWORDS[entry]
    if (kw) {
      for (const [a, bits, family] of kw) list.addSubnet(a, bits, family)
      continue
    }
    const [addr, bits] = entry.split('/')
    const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(addr, family)
    else list.addSubnet(addr, Number(bits), family)
  }
  return (raw) => {
    if (!raw) return false
    const addr = normalizeAddress(raw)
    const v = isIP(addr)
    if (!v) return false
    return list.check(addr, v === 6 ? 'ipv6' : 'ipv4')
  }
}
