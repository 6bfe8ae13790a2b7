/**
 * A fluid for the Helmholtz engine, read from a data file (no coefficient is written in code).
 *
 * The data format is the one of `data/water-iapws95.json` (IAPWS R6-95(2018), Tables 1 and 2):
 * reduced Helmholtz energy f/(RT) = phi0(delta, tau) + phir(delta, tau), delta = rho/rhoc,
 * tau = Tc/T, with
 *   phi0 = ln(delta) + n0_1 + n0_2 tau + n0_3 ln(tau) + sum_i n0_i ln(1 - exp(-gamma0_i tau))
 *   phir = sum n delta^d tau^t                                         (polynomial)
 *        + sum n delta^d tau^t exp(-delta^c)                           (exponential)
 *        + sum n delta^d tau^t exp(-alpha (delta-eps)^2 - beta (tau-gamma)^2)   (Gaussian)
 *        + sum n Delta^b delta psi                                     (non-analytic)
 */
import { readFileSync } from 'node:fs'

/** Residual-part coefficients, flattened into typed arrays for the evaluator. */
export interface ResidualTerms {
  /** polynomial and exponential terms (c = 0: no exponential factor) */
  n: Float64Array
  d: Float64Array
  t: Float64Array
  c: Float64Array
  gauss: {
    n: Float64Array
    d: Float64Array
    t: Float64Array
    alpha: Float64Array
    beta: Float64Array
    gamma: Float64Array
    epsilon: Float64Array
  }
  nonAnalytic: {
    n: Float64Array
    a: Float64Array
    b: Float64Array
    B: Float64Array
    C: Float64Array
    D: Float64Array
    A: Float64Array
    beta: Float64Array
  }
}

export interface IdealTerms {
  /** phi0 = ln(delta) + a1 + a2 tau + a3 ln(tau) + sum pe_n ln(1 - exp(-pe_gamma tau)) */
  a1: number
  a2: number
  a3: number
  peN: Float64Array
  peGamma: Float64Array
}

/** Auxiliary saturation equations: starting values only (theta = 1 - T/Tc). */
export interface Ancillary {
  pc: number
  pA: Float64Array
  pE: Float64Array
  lB: Float64Array
  lE: Float64Array
  vC: Float64Array
  vE: Float64Array
}

export interface HelmholtzFluid {
  name: string
  source: string
  /** critical (reducing) temperature [K] */
  Tc: number
  /** critical (reducing) mass density [kg/m3] */
  rhoc: number
  /** critical pressure [Pa] */
  pc: number
  /** specific gas constant [J/(kg K)] */
  R: number
  /** molar mass [kg/mol] */
  M: number
  /** triple-point temperature [K] */
  Ttriple: number
  ideal: IdealTerms
  residual: ResidualTerms
  ancillary: Ancillary | null
}

type Json = Record<string, unknown>

function num(o: Json, k: string, file: string): number {
  const v = o[k]
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`${file}: "${k}" must be a finite number`)
  return v
}

function arr(o: Json | undefined, k: string, file: string, len?: number): Float64Array {
  const v = o?.[k]
  if (!Array.isArray(v)) throw new Error(`${file}: "${k}" must be an array`)
  if (len !== undefined && v.length !== len)
    throw new Error(`${file}: "${k}" must have ${len} entries, has ${v.length}`)
  return Float64Array.from(v.map((x) => (typeof x === 'number' ? x : NaN)))
}

/** Read a fluid from the JSON text of a data file in the IAPWS-95 format. */
export function parseFluid(text: string, file: string, ancillaryText?: string): HelmholtzFluid {
  const j = JSON.parse(text) as Json
  const k = j.constants as Json
  const ideal = j.ideal_gas_part as Json
  const res = j.residual_part as Json
  const n0 = arr(ideal, 'n0', file)
  const g0 = ideal.gamma0 as (number | null)[]
  const pe: number[] = []
  const peG: number[] = []
  for (let i = 3; i < n0.length; i++) {
    const g = g0[i]
    if (typeof g !== 'number') throw new Error(`${file}: gamma0[${i}] missing`)
    pe.push(n0[i])
    peG.push(g)
  }
  const poly = res.polynomial as Json | undefined
  const expo = res.exponential as Json | undefined
  const gauss = res.gaussian as Json | undefined
  const na = res.nonanalytic as Json | undefined
  const np = poly ? arr(poly, 'n', file).length : 0
  const ne = expo ? arr(expo, 'n', file).length : 0
  const n = new Float64Array(np + ne)
  const d = new Float64Array(np + ne)
  const t = new Float64Array(np + ne)
  const c = new Float64Array(np + ne)
  if (poly) {
    n.set(arr(poly, 'n', file))
    d.set(arr(poly, 'd', file, np))
    t.set(arr(poly, 't', file, np))
  }
  if (expo) {
    n.set(arr(expo, 'n', file), np)
    d.set(arr(expo, 'd', file, ne), np)
    t.set(arr(expo, 't', file, ne), np)
    c.set(arr(expo, 'c', file, ne), np)
  }
  const ng = gauss ? arr(gauss, 'n', file).length : 0
  const nn = na ? arr(na, 'n', file).length : 0
  const emptyOr = (o: Json | undefined, key: string, len: number) =>
    o ? arr(o, key, file, len) : new Float64Array(0)
  const M = Number((num(k, 'M', file) / 1000).toPrecision(15))
  const fluid: HelmholtzFluid = {
    name: String(j.name ?? file),
    source: String(j.source ?? ''),
    Tc: num(k, 'Tc', file),
    rhoc: num(k, 'rhoc', file),
    pc: num(k, 'pc_MPa', file) * 1e6,
    R: num(k, 'R', file) * 1000,
    M,
    Ttriple: num(k, 'T_triple', file),
    ideal: {
      a1: n0[0],
      a2: n0[1],
      a3: n0[2],
      peN: Float64Array.from(pe),
      peGamma: Float64Array.from(peG),
    },
    residual: {
      n,
      d,
      t,
      c,
      gauss: {
        n: emptyOr(gauss, 'n', ng),
        d: emptyOr(gauss, 'd', ng),
        t: emptyOr(gauss, 't', ng),
        alpha: emptyOr(gauss, 'alpha', ng),
        beta: emptyOr(gauss, 'beta', ng),
        gamma: emptyOr(gauss, 'gamma', ng),
        epsilon: emptyOr(gauss, 'epsilon', ng),
      },
      nonAnalytic: {
        n: emptyOr(na, 'n', nn),
        a: emptyOr(na, 'a', nn),
        b: emptyOr(na, 'b', nn),
        B: emptyOr(na, 'B', nn),
        C: emptyOr(na, 'C', nn),
        D: emptyOr(na, 'D', nn),
        A: emptyOr(na, 'A', nn),
        beta: emptyOr(na, 'beta', nn),
      },
    },
    ancillary: null,
  }
  for (const a of [n, d, t, c])
    if (a.some((x) => !Number.isFinite(x))) throw new Error(`${file}: non-numeric coefficient`)
  if (ancillaryText !== undefined) {
    const a = JSON.parse(ancillaryText) as Json
    const p = a.pressure as Json
    const l = a.liquidDensity as Json
    const v = a.vaporDensity as Json
    fluid.ancillary = {
      pc: num(p, 'pc_Pa', 'ancillary'),
      pA: arr(p, 'a', 'ancillary'),
      pE: arr(p, 'e', 'ancillary'),
      lB: arr(l, 'b', 'ancillary'),
      lE: arr(l, 'e', 'ancillary'),
      vC: arr(v, 'c', 'ancillary'),
      vE: arr(v, 'e', 'ancillary'),
    }
  }
  return fluid
}

const dataDir = new URL('../../data/', import.meta.url)

/** Load a fluid from `packages/thermo/data/<file>` (and its ancillary file, if any). */
export function loadFluid(file: string, ancillaryFile?: string): HelmholtzFluid {
  const text = readFileSync(new URL(file, dataDir), 'utf8')
  const anc =
    ancillaryFile === undefined ? undefined : readFileSync(new URL(ancillaryFile, dataDir), 'utf8')
  return parseFluid(text, file, anc)
}

/** Read a JSON data file of this package (coefficients, verification tables). */
export function readDataJson(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, dataDir), 'utf8'))
}
