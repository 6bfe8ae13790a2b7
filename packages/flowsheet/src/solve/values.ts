import type { Stream } from '@rere/unit-ops'
import type { Built, SpecTarget } from './build.ts'
import type { Spec } from '../document/model.ts'
import { portValue } from './port-props.ts'

/** Value of a spec's property at x, with its gradient w.r.t. the variables it depends on. */
export function targetValueGrad(
  t: SpecTarget,
  x: Float64Array,
): { v: number; vars: number[]; g: number[] } {
  if (t.kind === 'var') return { v: x[t.index], vars: [t.index], g: [1] }
  if (t.kind === 'none') return { v: NaN, vars: [], g: [] }
  const s: Stream = t.stream
  switch (t.key) {
    case 'flow_mass':
      return { v: x[s.F] * s.pkg.molarMass, vars: [s.F], g: [s.pkg.molarMass] }
    case 'mole_frac_comp':
      return { v: 1, vars: [], g: [] }
    case 'temperature': {
      const p = s.props(x)
      return { v: p.state.T, vars: [s.P, s.h], g: [p.d.T.dP, p.d.T.dh] }
    }
    case 'vapor_frac': {
      const p = s.props(x)
      return { v: p.state.x ?? 0, vars: [s.P, s.h], g: [p.d.x.dP, p.d.x.dh] }
    }
    case 'entr_mol': {
      const p = s.props(x)
      return { v: p.state.s, vars: [s.P, s.h], g: [p.d.s.dP, p.d.s.dh] }
    }
    case 'dens_mass': {
      const p = s.props(x)
      return { v: p.state.rho, vars: [s.P, s.h], g: [p.d.rho.dP, p.d.rho.dh] }
    }
    default:
      return { v: portValue(s, t.key, x) ?? NaN, vars: [], g: [] }
  }
}

/** SI value of a property-value id at the solution (the last spec with that id wins, as upstream). */
export function specValue(b: Built, spec: Spec, x: Float64Array): number | null {
  const t = b.targets.get(spec)
  if (!t) return null
  if (t.kind === 'var') return x[t.index]
  if (t.kind === 'none') return null
  return portValue(t.stream, t.key, x)
}
