/**
 * Median time per call of the thermo routines (run: npm run bench -w @rere/thermo, or
 * node --import tsx packages/thermo/bench/thermo.bench.ts). Prints a Math.exp baseline.
 * Each case runs `rounds` rounds of `n` calls over a small set of inputs; the median round
 * time divided by n is reported.
 */
import { getPropertyPackage, HelmholtzProps, TRhoProps } from '../src/index.ts'
import type { HelmholtzPackage } from '../src/index.ts'

let sink = 0
let expNs = 1 // ns per Math.exp call, measured first

function bench(
  name: string,
  inputs: number[][],
  fn: (a: number, b: number) => number,
  n = 20000,
  rounds = 15,
) {
  const k = inputs.length
  for (let i = 0; i < 2000; i++) sink += fn(inputs[i % k][0], inputs[i % k][1])
  const times: number[] = []
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) {
      const a = inputs[i % k]
      sink += fn(a[0], a[1])
    }
    times.push(Number(process.hrtime.bigint() - t0) / n)
  }
  times.sort((a, b) => a - b)
  const med = times[times.length >> 1]
  // a separate counting pass (wrappers installed only here): IAPWS-95 evaluations per call
  const pe = HelmholtzProps.prototype.eval
  const pp = HelmholtzProps.prototype.pressure
  let ne = 0
  let np = 0
  HelmholtzProps.prototype.eval = function (...a: Parameters<typeof pe>) {
    ne++
    return pe.apply(this, a)
  }
  HelmholtzProps.prototype.pressure = function (...a: Parameters<typeof pp>) {
    np++
    return pp.apply(this, a)
  }
  for (let i = 0; i < k; i++) sink += fn(inputs[i][0], inputs[i][1])
  HelmholtzProps.prototype.eval = pe
  HelmholtzProps.prototype.pressure = pp
  const evals =
    ne + np > 0 ? `  ${(ne / k).toFixed(1)} full + ${(np / k).toFixed(1)} p-only evals` : ''
  console.log(
    `${name.padEnd(44)} ${(med / 1000).toFixed(3).padStart(9)} us/call ${(med / expNs).toFixed(0).padStart(7)} exp${evals}`,
  )
  return med
}

const H = getPropertyPackage('helmholtz') as HelmholtzPackage
const st = new TRhoProps()

// baseline: 1e6 Math.exp calls (median of 7 rounds, after a warm-up round)
function expRound(): number {
  const t0 = process.hrtime.bigint()
  let s = 0
  for (let i = 0; i < 1e6; i++) s += Math.exp(-i * 1e-6)
  sink += s
  return Number(process.hrtime.bigint() - t0) / 1e6
}
{
  expRound()
  const r = Array.from({ length: 7 }, expRound).sort((a, b) => a - b)
  const ms = r[3]
  expNs = ms // ms per 1e6 calls = ns per call
  console.log(
    `${'baseline: 1e6 Math.exp calls'.padEnd(44)} ${ms.toFixed(3).padStart(9)} ms total (${((ms * 1000) / 1e6).toFixed(4)} us/exp)`,
  )
}
console.log(`node ${process.version}; median time per call, and the same in Math.exp calls`)

const M = H.molarMass
const liqTP = [
  [300, 1e5],
  [353.15, 1e5],
  [400, 5e6],
  [450, 2e7],
  [500, 1e7],
]
const vapTP = [
  [400, 1e5],
  [500, 1e5],
  [600, 1e6],
  [700, 5e6],
  [800, 1e7],
]
const tr = [
  [300, 996.556],
  [500, 0.435],
  [500, 838.025],
  [647, 358],
  [900, 52.615],
]
bench('helmholtz properties from (T, rho)', tr, (T, r) => H.props.eval(T, r, st).h)
bench('helmholtz flashTP liquid', liqTP, (T, P) => H.flashTP(T, P).h)
bench('helmholtz flashTP vapour', vapTP, (T, P) => H.flashTP(T, P).h)
const hl = liqTP.map(([T, P]) => [P, H.flashTP(T, P).h])
const hv = vapTP.map(([T, P]) => [P, H.flashTP(T, P).h])
const h2 = [
  [1e5, 30000],
  [1e6, 30000],
  [5e6, 35000],
  [2e5, 20000],
  [1e4, 40000],
]
bench('helmholtz flashPH liquid', hl, (P, h) => H.flashPH(P, h).T)
bench('helmholtz flashPH vapour', hv, (P, h) => H.flashPH(P, h).T)
bench('helmholtz flashPH two-phase (5 P, saturation cached)', h2, (P, h) => H.flashPH(P, h).T)
// 64 distinct pressures cycle through the 16-entry saturation cache: every call solves saturation
const h2n = Array.from({ length: 64 }, (_, i) => [2e5 * Math.pow(50, i / 63), 30000])
bench('helmholtz flashPH two-phase (new P, no cache)', h2n, (P, h) => H.flashPH(P, h).T)
bench(
  'helmholtz flashPH liquid, same P (cached sat)',
  [[1e5, 6036.09]],
  (P, h) => H.flashPH(P, h).T,
)
bench('helmholtz propsPH liquid', hl, (P, h) => H.propsPH(P, h).d.T.dh)
bench('helmholtz propsPH vapour', hv, (P, h) => H.propsPH(P, h).d.T.dh)
const sT = [
  [300, 0],
  [373.15, 0],
  [450, 0],
  [550, 0],
  [640, 0],
]
bench('helmholtz saturationT', sT, (T) => H.saturationT(T).P)
try {
  const I = getPropertyPackage('if97')
  const ifTP = [...liqTP, ...vapTP]
  bench('if97 flashTP', ifTP, (T, P) => I.flashTP(T, P).h)
  bench('if97 flashPH', [...hl, ...hv, ...h2], (P, h) => I.flashPH(P, h).T)
} catch (e) {
  console.log('if97: not available', (e as Error).message)
}
void M
if (sink === 42) console.log('')
