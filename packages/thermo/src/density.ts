import type { Branch } from './base.ts'

/**
 * Density on one branch of an isotherm from p(T, rho) = P: Newton safeguarded by bisection on
 * [lo, hi]. The bracket keeps the iteration on the branch and away from the metastable and
 * unstable parts of the isotherm (dp/drho <= 0 moves the bracket). Shared by IAPWS-95 and IF97
 * region 3.
 * @param pressure - writes p [Pa] and dp/drho [Pa m3/kg] at (T [K], rho [kg/m3]) to out[0], out[1]
 * @param T - temperature [K]
 * @param P - pressure [Pa]
 * @param lo - lower end of the bracket [kg/m3]
 * @param hi - upper end of the bracket [kg/m3]
 * @param rho - starting density inside the bracket [kg/m3]
 * @param out - scratch of length >= 3; out[2] receives the final upper end of the bracket
 * @returns the density [kg/m3], or NaN when 200 iterations did not converge
 */
export function densityOnBranch(
  pressure: (T: number, rho: number, out: Float64Array) => void,
  T: number,
  P: number,
  branch: Branch,
  lo: number,
  hi: number,
  rho: number,
  out: Float64Array,
): number {
  for (let it = 0; it < 200; it++) {
    pressure(T, rho, out)
    const f = out[0] - P
    const dp = out[1]
    if (dp > 0) {
      if (f < 0) lo = rho
      else hi = rho
    } else if (branch === 'vapor') hi = rho
    else lo = rho
    out[2] = hi
    // residual at the resolution of double precision (liquid: dp/drho is large)
    if (Math.abs(f) <= 1e-14 * P + 1e-15 * rho * Math.abs(dp)) return rho
    let next = rho - f / dp
    if (!(dp > 0) || !(next > lo && next < hi)) next = 0.5 * (lo + hi)
    if (Math.abs(next - rho) <= 2e-16 * rho) return rho
    rho = next
  }
  out[2] = hi
  return NaN
}
