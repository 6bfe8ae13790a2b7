import type { Equation } from '@rere/unit-ops'
import type { CompiledFormula } from '../expressions/index.ts'
import type { Built } from './build.ts'
import { targetValueGrad } from './values.ts'

export interface Formulas {
  expressions: Map<number, CompiledFormula>
}

/**
 * `constraint` formulas become equations "property = formula(id_N ...)" with exact gradients
 * (dual numbers through the formula, chain rule through the property package). The formulas
 * were compiled (dimensions checked) by the document parser (model.formulas).
 */
export function addConstraints(b: Built): Formulas {
  const { model, sys } = b
  const expressions = model.formulas.expressions
  const lastSpec = (id: number) => {
    const l = model.specsById.get(id)
    return l ? l[l.length - 1] : undefined
  }
  for (const unit of model.units) {
    const all = [...unit.specs, ...unit.ports.flatMap((p) => p.specs)]
    for (const spec of all) {
      if (spec.constraint === null) continue
      const f = model.formulas.constraints.get(spec)
      if (!f) continue
      const self = b.targets.get(spec)
      if (!self) continue
      const refTargets = f.refs.map((id) => {
        const s = lastSpec(id)
        return s ? b.targets.get(s) : undefined
      })
      // variables: the property itself, then every variable the referenced properties depend on
      const probe = new Float64Array(sys.vars.length)
      const vars: number[] = [...targetValueGrad(self, probe).vars]
      for (const t of refTargets)
        if (t) for (const v of targetValueGrad(t, probe).vars) if (!vars.includes(v)) vars.push(v)
      const pos = new Map(vars.map((v, k) => [v, k]))
      const eq: Equation = {
        unitId: unit.id,
        unitName: unit.name,
        name: `${unit.name}: ${spec.key} = ${spec.constraint}`,
        unit: spec.unitSI,
        scale: 1,
        vars,
        kind: 'constraint',
        specId: spec.id,
        f(x, g) {
          const me = targetValueGrad(self, x)
          const parts = refTargets.map((t) =>
            t ? targetValueGrad(t, x) : { v: NaN, vars: [], g: [] },
          )
          const d = f.evaluateDual(parts.map((p) => p.v))
          if (g) {
            g.fill(0, 0, vars.length)
            me.vars.forEach((v, k) => (g[pos.get(v) as number] += me.g[k]))
            parts.forEach((p, j) =>
              p.vars.forEach((v, k) => (g[pos.get(v) as number] -= d.g[j] * p.g[k])),
            )
          }
          return me.v - d.v
        },
      }
      eq.scale = Math.max(1, Math.abs(spec.value ?? 1))
      sys.addEq(eq)
    }
  }
  return { expressions }
}
