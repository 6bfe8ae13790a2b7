import { AppError, type SolvedProperty } from '@rere/contract'
import type { StateBlockModel } from '../document/model.ts'
import { getStreamProperty } from '../catalogue/index.ts'
import { resolvePackage } from './packages.ts'
import type { ThermoStateLike } from '@rere/unit-ops'

/**
 * `/build_state`: one state block from two intensive specifications (any of T, P, x, h, s) plus
 * an optional flow; replies with every property the request listed.
 */
export function buildStateModel(m: StateBlockModel): SolvedProperty[] {
  const pkg = resolvePackage(m.package.name, m.package.compound)
  const val = (k: string) =>
    m.specs.find((s) => s.key === k && s.value !== null)?.value ?? undefined
  const T = val('temperature')
  const P = val('pressure')
  const x = val('vapor_frac')
  const h =
    val('enth_mol') ??
    (val('enth_mass') !== undefined ? (val('enth_mass') as number) * pkg.molarMass : undefined)
  const s = val('entr_mol')
  let st: ThermoStateLike
  if (P !== undefined && h !== undefined) st = pkg.propsPH(P, h).state
  else if (T !== undefined && P !== undefined) st = pkg.flashTP(T, P)
  else if (P !== undefined && x !== undefined) st = pkg.flashPx(P, x)
  else if (T !== undefined && x !== undefined) st = pkg.flashTx(T, x)
  else if (P !== undefined && s !== undefined) st = pkg.flashPS(P, s)
  else
    throw new AppError(
      'FLOWSHEET_UNDERSPECIFIED',
      'A state block needs two of temperature, pressure, vapor_frac, enth_mol, entr_mol',
      {
        statusCode: 400,
        details: {
          path: 'properties',
          given: m.specs.filter((q) => q.value !== null).map((q) => q.key),
        },
      },
    )
  const F =
    val('flow_mol') ??
    (val('flow_mass') !== undefined ? (val('flow_mass') as number) / pkg.molarMass : 1)
  const value = (key: string): number | null => {
    switch (key) {
      case 'temperature':
        return st.T
      case 'pressure':
        return st.P
      case 'vapor_frac':
        return st.x ?? 0
      case 'enth_mol':
        return st.h
      case 'enth_mass':
        return st.h / pkg.molarMass
      case 'entr_mol':
        return st.s
      case 'entr_mass':
        return st.s / pkg.molarMass
      case 'flow_mol':
        return F
      case 'flow_mass':
        return F * pkg.molarMass
      case 'flow_vol':
        return (F * pkg.molarMass) / st.rho
      case 'mole_frac_comp':
        return 1
      case 'dens_mass':
        return st.rho
      default:
        return null
    }
  }
  const seen = new Set<number>()
  const out: SolvedProperty[] = []
  for (const spec of m.specs) {
    if (seen.has(spec.id) || spec.key === 'mole_frac_comp') continue
    seen.add(spec.id)
    const def = getStreamProperty(spec.key)
    const v = value(spec.key)
    out.push({
      id: spec.id,
      name: `fs.${m.blockName}_state[0.0].${def?.replyName ?? spec.key}`,
      value: v === null ? null : [v],
      unit: spec.unitSI,
    })
  }
  return out
}
