/**
 * Melting curves of ordinary water (IAPWS R14-08(2011), Eqs. 1-5): the melting pressure of ice
 * Ih, III, V, VI and VII as a function of T, and its inverse, the melting temperature at P (the
 * lowest temperature at which the fluid phase is stable, the lower bound of IAPWS-95).
 * Coefficients are read from `data/water-melting.json`.
 *   form 'sum': p/pn = 1 + sum a_i (1 - theta^b_i)     (Eqs. 1-4)
 *   form 'log': ln(p/pn) = sum c_i (1 - theta^e_i)     (Eq. 5)
 * with theta = T/Tn.
 */
import { readDataJson } from './fluid.ts'

export interface MeltingLine {
  ice: string
  form: 'sum' | 'log'
  Tn: number
  pn: number
  Tmin: number
  Tmax: number
  a: number[]
  b: number[]
  /** pressure range of the line [Pa] (from its end points) */
  pLo: number
  pHi: number
}

function evalLine(l: MeltingLine, T: number): number {
  const th = T / l.Tn
  let s = 0
  for (let i = 0; i < l.a.length; i++) s += l.a[i] * (1 - Math.pow(th, l.b[i]))
  return l.form === 'sum' ? l.pn * (1 + s) : l.pn * Math.exp(s)
}

/** The accepted metastable supercooled liquid below the melting line (a Rere choice, data file). */
export interface SupercooledLimit {
  /** lowest temperature [K] of metastable supercooled liquid */
  Tmin: number
  /** the ice phases below whose melting line it is accepted */
  ice: string[]
}

export class MeltingCurve {
  readonly lines: MeltingLine[]
  /** the supercooled-liquid limit of the data file, or null when it has none */
  readonly supercooled: SupercooledLimit | null

  constructor(file = 'water-melting.json') {
    const j = readDataJson(file) as {
      lines: Record<string, unknown>[]
      supercooledLiquid?: { Tmin?: unknown; ice?: unknown }
    }
    const sc = j.supercooledLiquid
    if (sc === undefined) this.supercooled = null
    else {
      const Tmin = Number(sc.Tmin)
      if (!Number.isFinite(Tmin) || !Array.isArray(sc.ice))
        throw new Error(`${file}: supercooledLiquid needs a numeric Tmin and an ice list`)
      this.supercooled = { Tmin, ice: sc.ice.map(String) }
    }
    this.lines = j.lines.map((r) => {
      const form = r.form === 'log' ? 'log' : 'sum'
      const a = (form === 'sum' ? r.a : r.c) as number[]
      const b = (form === 'sum' ? r.b : r.e) as number[]
      const l: MeltingLine = {
        ice: String(r.ice),
        form,
        Tn: Number(r.Tn),
        pn: Number(r.pn),
        Tmin: Number(r.Tmin),
        Tmax: Number(r.Tmax),
        a: a.map(Number),
        b: b.map(Number),
        pLo: 0,
        pHi: 0,
      }
      if (![l.Tn, l.pn, l.Tmin, l.Tmax, ...l.a, ...l.b].every(Number.isFinite))
        throw new Error(`${file}: non-numeric coefficient (ice ${l.ice})`)
      const p1 = evalLine(l, l.Tmin)
      const p2 = evalLine(l, l.Tmax)
      l.pLo = Math.min(p1, p2)
      l.pHi = Math.max(p1, p2)
      return l
    })
  }

  /**
   * Melting pressure [Pa] of an ice phase at T [K] (R14-08 Eqs. 1-5); NaN outside the line's
   * temperature range.
   * @param T - temperature [K]
   * @param ice - 'Ih' | 'III' | 'V' | 'VI' | 'VII'
   */
  pressure(T: number, ice: string): number {
    const l = this.lines.find((x) => x.ice === ice)
    if (!l || !(T >= l.Tmin && T <= l.Tmax)) return NaN
    return evalLine(l, T)
  }

  /**
   * Melting temperature [K] at P [Pa] and the ice phase in equilibrium with the liquid; null
   * below the lowest (triple-point) pressure of the ice Ih line or above the last line.
   * @param P - pressure [Pa]
   */
  temperature(P: number): { T: number; ice: string } | null {
    if (P === this.lastP) return this.last
    this.lastP = P
    this.last = this.solveT(P)
    return this.last
  }

  private lastP = NaN
  private last: { T: number; ice: string } | null = null

  private solveT(P: number): { T: number; ice: string } | null {
    for (const l of this.lines) {
      if (!(P >= l.pLo && P <= l.pHi)) continue
      // p(T) is monotonic on each line: bisection with secant steps
      let lo = l.Tmin
      let hi = l.Tmax
      const inc = evalLine(l, hi) > evalLine(l, lo)
      let T = 0.5 * (lo + hi)
      for (let it = 0; it < 200 && hi - lo > 1e-13 * hi; it++) {
        T = 0.5 * (lo + hi)
        const above = evalLine(l, T) > P
        if (above === inc) hi = T
        else lo = T
      }
      return { T: 0.5 * (lo + hi), ice: l.ice }
    }
    return null
  }
}
