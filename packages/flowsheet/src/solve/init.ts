import type { Stream } from '@rere/unit-ops'
import type { Built, PortInfo } from './build.ts'

const P_DEFAULT = 101325
const T_DEFAULT = 298.15
const MAX_PASSES = 20

/**
 * Sequential initialisation in flow order: feeds and tear guesses from their specifications
 * ((T,P), (P,x), (T,x), flow_mass ...), then each unit's own sequential calculation writes its
 * outlets and internal variables; outlet specifications (T, x) then correct the outlet guess.
 * Values fixed by a specification or seeded by a guess are never overwritten.
 */
export function initialize(b: Built, x: Float64Array): void {
  const { sys } = b
  const known = (i: number) => sys.vars[i].fixed || sys.vars[i].seeded
  const byUnitPorts = new Map<number, PortInfo[]>()
  for (const p of b.ports.values()) {
    const l = byUnitPorts.get(p.unit.id) ?? []
    l.push(p)
    byUnitPorts.set(p.unit.id, l)
  }
  // with tears: repeat the pass (direct substitution on the tear streams, as IDAES's
  // SequentialDecomposition) until the torn inlets change by less than 1 % relative, at most
  // MAX_PASSES times; Newton then starts near the right branch of every min/max.
  const tearVars: number[] = []
  for (const p of b.ports.values())
    if (p.port.direction === 'inlet' && p.arc && b.tears.has(p.arc.id))
      tearVars.push(p.stream.F, p.stream.h, p.stream.P)
  const passes = b.tears.size > 0 ? MAX_PASSES : 1
  const prev = new Float64Array(tearVars.length).fill(NaN)
  for (let pass = 0; pass < passes; pass++) {
    if (pass > 0) {
      let change = 0
      tearVars.forEach((v, k) => {
        const d = Math.abs(x[v] - prev[k]) / Math.max(Math.abs(x[v]), sys.vars[v].scale)
        change = Number.isNaN(d) ? Infinity : Math.max(change, d)
      })
      if (change < 1e-2) break
    }
    tearVars.forEach((v, k) => (prev[k] = x[v]))
    for (const uid of b.order) {
      const op = b.unitOps.get(uid)
      if (!op) continue
      const ports = byUnitPorts.get(uid) ?? []
      const inlets = ports.filter((p) => p.port.direction === 'inlet')
      for (const p of inlets) seedPort(b, p, x, known, false, false)
      // an unset torn inlet starts from a sibling inlet's state (recycles into mixers)
      const ref = inlets.find((p) =>
        [p.stream.F, p.stream.h, p.stream.P].every((i) => Number.isFinite(x[i])),
      )
      if (ref)
        for (const p of inlets) {
          const s = p.stream
          if (!Number.isFinite(x[s.P])) x[s.P] = x[ref.stream.P]
          if (!Number.isFinite(x[s.h])) x[s.h] = x[ref.stream.h]
          if (!Number.isFinite(x[s.F])) x[s.F] = 0.5 * x[ref.stream.F]
        }
      for (const p of inlets) seedPort(b, p, x, known, true)
      try {
        op.init(x, (i) => known(i) && Number.isFinite(x[i]))
      } catch {
        /* a unit's initialisation is only a guess */
      }
      for (const p of ports) if (p.port.direction === 'outlet') seedPort(b, p, x, known, false)
    }
  }
  // anything still unset
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i])) continue
    const v = sys.vars[i]
    x[i] =
      v.key === 'pressure' ? P_DEFAULT : v.key === 'flow_mol' ? 1 : v.key === 'enth_mol' ? 1889 : 0
  }
}

function seedPort(
  b: Built,
  p: PortInfo,
  x: Float64Array,
  known: (i: number) => boolean,
  fillDefaults: boolean,
  overwrite = !fillDefaults,
): void {
  const s: Stream = p.stream
  const seeds = b.portSeeds.get(p.port.id) ?? {}
  // inlets: fill what is still unset; outlets: the spec overrides the unit's own guess
  const free = (i: number) => !known(i) && (overwrite || !Number.isFinite(x[i]))
  if (seeds.mass !== undefined && free(s.F)) x[s.F] = seeds.mass / s.pkg.molarMass
  try {
    if (seeds.T !== undefined && seeds.x !== undefined && free(s.P) && free(s.h)) {
      const st = s.pkg.flashTx(seeds.T, seeds.x)
      x[s.P] = st.P
      x[s.h] = st.h
    } else if (seeds.x !== undefined && free(s.h)) {
      const P = Number.isFinite(x[s.P]) ? x[s.P] : (seeds.P ?? P_DEFAULT)
      if (free(s.P) && !Number.isFinite(x[s.P])) x[s.P] = P
      x[s.h] = s.pkg.flashPx(P, seeds.x).h
    } else if (seeds.T !== undefined && free(s.h)) {
      const P = Number.isFinite(x[s.P]) ? x[s.P] : (seeds.P ?? P_DEFAULT)
      if (!Number.isFinite(x[s.P])) x[s.P] = P
      x[s.h] = s.pkg.flashTP(seeds.T, P).h
    }
  } catch {
    /* keep whatever we have; Newton reports a real failure */
  }
  if (!fillDefaults) return
  if (!Number.isFinite(x[s.F])) x[s.F] = 1
  if (!Number.isFinite(x[s.P])) x[s.P] = P_DEFAULT
  if (!Number.isFinite(x[s.h])) {
    try {
      x[s.h] = s.pkg.flashTP(T_DEFAULT, x[s.P]).h
    } catch {
      x[s.h] = 1889
    }
  }
}
