import type { FlowsheetModel } from '../document/model.ts'
import type { Built } from './build.ts'
import type { Formulas } from './constraints.ts'
import type { Structure } from './structure.ts'

/**
 * Compiled-sheet cache: the equation system, its structural analysis and block order depend on
 * the sheet's shape (units, ports, arcs, which properties are specified, guessed, controlled or
 * constrained), not on the values. A sheet solved again with other values (the editor's
 * what-ifs, a load test) reuses them and only re-applies the values. Sheets whose structure
 * depends on values (closed loops taking their flow from a guess, warm starts) are not cached.
 */
export interface Compiled {
  built: Built
  formulas: Formulas
  structure: Structure
}

const MAX = 64
const cache = new Map<string, Compiled>()

/** The shape of a model: everything but the values (null when the model must not be cached). */
export function shapeKey(model: FlowsheetModel): string | null {
  const parts: unknown[] = [model.packages, model.expressions.map((e) => [e.id, e.expression])]
  for (const u of model.units) {
    if (u.initialValues) return null
    parts.push(u.id, u.type, u.name, u.args, u.packageKey)
    for (const s of u.specs)
      parts.push(s.id, s.key, s.indexes, s.value === null, s.guess, s.controlled, s.constraint)
    for (const p of u.ports) {
      parts.push(p.id, p.name, p.direction, p.packageKey)
      for (const s of p.specs)
        parts.push(
          s.id,
          s.key,
          s.indexes,
          s.value === null,
          s.guess,
          s.controlled,
          s.constraint,
          s.key === 'mole_frac_comp' ? s.value : 0,
        )
    }
  }
  for (const a of model.arcs) parts.push(a.id, a.source, a.destination, a.tearGuess)
  return JSON.stringify(parts)
}

export function getCompiled(key: string, model: FlowsheetModel): Compiled | null {
  const hit = cache.get(key)
  if (!hit) return null
  // LRU: move to the end
  cache.delete(key)
  cache.set(key, hit)
  reapply(hit.built, model)
  return hit
}

export function putCompiled(key: string, c: Compiled): void {
  if (c.built.circulating.length) return
  cache.set(key, c)
  if (cache.size > MAX) cache.delete(cache.keys().next().value as string)
}

export function clearCompiled(): void {
  cache.clear()
}

/** Put the new model's values where the first build put the old ones (same traversal order). */
function reapply(b: Built, model: FlowsheetModel): void {
  const targets = new Map<
    (typeof model.units)[number]['specs'][number],
    NonNullable<Built['specOrder'][number]['target']>
  >()
  let k = 0
  const one = (spec: (typeof model.units)[number]['specs'][number]) => {
    const o = b.specOrder[k++]
    if (o.target) targets.set(spec, o.target)
    if (spec.value !== null && o.apply) o.apply(spec.value)
  }
  for (const u of model.units) {
    for (const s of u.specs) one(s)
    for (const p of u.ports) for (const s of p.specs) one(s)
  }
  b.targets = targets
  b.model = model
}
