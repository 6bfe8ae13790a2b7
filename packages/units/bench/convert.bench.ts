/**
 * Conversion speed of @rere/units. Run: node --import tsx packages/units/bench/convert.bench.ts
 * Prints ns per operation for a cached conversion and for a first (uncached) parse.
 */
import { parseUnit, toSI, toSIKind } from '../src/index.ts'

function time(label: string, n: number, fn: (i: number) => unknown): void {
  for (let i = 0; i < Math.min(n, 1000); i++) fn(i)
  const t0 = process.hrtime.bigint()
  let sink = 0
  for (let i = 0; i < n; i++) sink += Number(fn(i)) || 0
  const ns = Number(process.hrtime.bigint() - t0) / n
  console.log(
    `${label.padEnd(44)} ${ns.toFixed(1).padStart(9)} ns/op   (${n} ops, sink ${sink > 0})`,
  )
}

const units = ['degC', 'kPa', 'mol/min', 'cal/mol', 'W/(m**2*K)', 'kg*m**2/s**3', 'kJ/kmol', 'bar']
time('toSI cached (8 spellings)', 1_000_000, (i) => toSI(i, units[i & 7]))
time('toSIKind cached (temperature, degC)', 1_000_000, (i) => toSIKind(i, 'degC', 'temperature'))
let k = 0
time(
  'parseUnit uncached (fresh string each call)',
  2_000,
  () => parseUnit(`kg*m**2/s**3/mol**${k++ + 2}`).factor,
)
