import type { Equation, Owner, Stream, ThermoPackage } from '@rere/unit-ops'

/**
 * Port properties other than the state variables (flow_mol, enth_mol, pressure), as functions of
 * the state with exact derivatives, for specifications ("temperature = 350 K" becomes the
 * equation T(P, h) - 350 = 0) and for the reply.
 */
export const DERIVED_PORT_KEYS = [
  'temperature',
  'vapor_frac',
  'flow_mass',
  'entr_mol',
  'dens_mass',
  'mole_frac_comp',
] as const

export function isStateKey(key: string): key is 'flow_mol' | 'enth_mol' | 'pressure' {
  return key === 'flow_mol' || key === 'enth_mol' || key === 'pressure'
}

/**
 * Saturated mixture enthalpy h(P, x) = hL(P) + x (hV(P) - hL(P)) and its derivative along the
 * saturation line: dh_phase/dP = cp (dTsat/dP - (dT/dP)_h), dTsat/dP = T (vV - vL)/(hV - hL)
 * (Clausius-Clapeyron); cp and (dT/dP)_h are the exact single-phase derivatives of each saturated
 * phase from propsPH, taken 1e-9 relative outside the dome to pick the phase's side.
 */
export function saturatedEnthalpy(
  pkg: ThermoPackage,
  P: number,
  x: number,
): { h: number; dhdP: number } {
  const sat = pkg.saturationP(P)
  const hL = sat.liquid.h
  const hV = sat.vapor.h
  const h = hL + x * (hV - hL)
  const M = pkg.molarMass
  const dv = M * (1 / sat.vapor.rho - 1 / sat.liquid.rho)
  const dTsat = (sat.T * dv) / (hV - hL)
  const eps = 1e-9 * Math.max(1, Math.abs(hV - hL))
  const side = (hp: number) => {
    const p = pkg.propsPH(P, hp)
    const invCp = p.d.T.dh
    if (!(invCp > 0)) return 0
    return (dTsat - p.d.T.dP) / invCp
  }
  const dL = side(hL - eps)
  const dV = side(hV + eps)
  return { h, dhdP: (1 - x) * dL + x * dV }
}

/** Equation "port property = value" for a derived property; null when unsupported. */
export function derivedSpecEquation(
  owner: Owner,
  s: Stream,
  key: string,
  holder: { v: number },
  label: string,
): Equation | null {
  const base = { unitId: owner.unitId, unitName: owner.unitName, kind: 'spec' as const }
  const value = holder.v
  switch (key) {
    case 'temperature':
      return {
        unitId: base.unitId,
        unitName: base.unitName,
        kind: base.kind,
        name: `${label}: temperature = ${value} K`,
        unit: 'K',
        scale: 1,
        vars: [s.P, s.h],
        f(x, g) {
          const p = s.props(x)
          if (g) {
            g[0] = p.d.T.dP
            g[1] = p.d.T.dh
          }
          return p.state.T - holder.v
        },
      }
    case 'vapor_frac':
      return {
        unitId: base.unitId,
        unitName: base.unitName,
        kind: base.kind,
        name: `${label}: vapour fraction = ${value}`,
        unit: 'J/mol',
        scale: 1e3,
        vars: [s.P, s.h],
        f(x, g) {
          const { h, dhdP } = saturatedEnthalpy(s.pkg, x[s.P], holder.v)
          if (g) {
            g[0] = -dhdP
            g[1] = 1
          }
          return x[s.h] - h
        },
      }
    case 'flow_mass': {
      const M = s.pkg.molarMass
      return {
        unitId: base.unitId,
        unitName: base.unitName,
        kind: base.kind,
        name: `${label}: mass flow = ${value} kg/s`,
        unit: 'kg/s',
        scale: Math.max(1e-3, Math.abs(value)),
        vars: [s.F],
        f(x, g) {
          if (g) g[0] = M
          return x[s.F] * M - holder.v
        },
      }
    }
    case 'entr_mol':
      return {
        unitId: base.unitId,
        unitName: base.unitName,
        kind: base.kind,
        name: `${label}: molar entropy = ${value} J/mol/K`,
        unit: 'J/mol/K',
        scale: 1,
        vars: [s.P, s.h],
        f(x, g) {
          const p = s.props(x)
          if (g) {
            g[0] = p.d.s.dP
            g[1] = p.d.s.dh
          }
          return p.state.s - holder.v
        },
      }
    case 'enth_mass': {
      const M = s.pkg.molarMass
      return {
        ...base1(base),
        name: `${label}: specific enthalpy = ${value} J/kg`,
        unit: 'J/mol',
        scale: 1e4,
        vars: [s.h],
        f(x, g) {
          if (g) g[0] = 1
          return x[s.h] - holder.v * M
        },
      }
    }
    case 'entr_mass': {
      const M = s.pkg.molarMass
      return {
        ...base1(base),
        name: `${label}: specific entropy = ${value} J/kg/K`,
        unit: 'J/mol/K',
        scale: 1,
        vars: [s.P, s.h],
        f(x, g) {
          const p = s.props(x)
          if (g) {
            g[0] = p.d.s.dP
            g[1] = p.d.s.dh
          }
          return p.state.s - holder.v * M
        },
      }
    }
    case 'flow_vol': {
      const M = s.pkg.molarMass
      return {
        ...base1(base),
        name: `${label}: volumetric flow = ${value} m3/s`,
        unit: 'm**3/s',
        scale: Math.max(1e-6, Math.abs(value)),
        vars: [s.F, s.P, s.h],
        f(x, g) {
          const p = s.props(x)
          const rho = p.state.rho
          const F = x[s.F]
          if (g) {
            g[0] = M / rho
            g[1] = ((-F * M) / (rho * rho)) * p.d.rho.dP
            g[2] = ((-F * M) / (rho * rho)) * p.d.rho.dh
          }
          return (F * M) / rho - holder.v
        },
      }
    }
    case 'total_energy_flow':
      return {
        ...base1(base),
        name: `${label}: energy flow F h = ${value} W`,
        unit: 'W',
        scale: Math.max(1, Math.abs(value)),
        vars: [s.F, s.h],
        f(x, g) {
          if (g) {
            g[0] = x[s.h]
            g[1] = x[s.F]
          }
          return x[s.F] * x[s.h] - holder.v
        },
      }
    default:
      return null
  }
}

function base1(b: { unitId: number | null; unitName: string; kind: 'spec' }) {
  return { unitId: b.unitId, unitName: b.unitName, kind: b.kind }
}

/** Value of a port property at the solution. */
export function portValue(s: Stream, key: string, x: Float64Array): number | null {
  switch (key) {
    case 'flow_mol':
      return x[s.F]
    case 'enth_mol':
      return x[s.h]
    case 'pressure':
      return x[s.P]
    case 'flow_mass':
      return x[s.F] * s.pkg.molarMass
    case 'mole_frac_comp':
      return 1
    case 'enth_mass':
      return x[s.h] / s.pkg.molarMass
    case 'total_energy_flow':
      return x[s.F] * x[s.h]
    case 'flow_vol':
      return (x[s.F] * s.pkg.molarMass) / s.props(x).state.rho
    default:
      break
  }
  const st = s.props(x).state
  switch (key) {
    case 'temperature':
      return st.T
    case 'vapor_frac':
      return st.x ?? (st.T > 647.096 && st.P < 22.064e6 ? 1 : 0)
    case 'entr_mol':
      return st.s
    case 'dens_mass':
      return st.rho
    case 'entr_mass':
      return st.s / s.pkg.molarMass
    case 'mole_frac_phase_comp[Vap]':
      return st.x ?? 1
    case 'mole_frac_phase_comp[Liq]':
      return 1 - (st.x ?? 1)
    default:
      return null
  }
}
