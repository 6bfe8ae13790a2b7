/**
 * Median in-process solve time (parse + analyse + initialise + Newton + reply) of three sheets.
 * Run: node --import tsx packages/flowsheet/bench/solve.bench.ts
 */
import { loadavg } from 'node:os'
import { solveDocument } from '../src/index.ts'
import { clearCompiled } from '../src/solve/cache.ts'
import { outerRecycleSheet, pumpSheet, sectionSheet } from './sheets.ts'

function bench(
  name: string,
  doc: unknown,
  target: string,
  minRuns: number,
  cold = false,
  budgetMs = 2500,
) {
  type Doc = {
    unit_models: {
      ports: Record<string, { properties: Record<string, { data: { value: number }[] }> }>
    }[]
  }
  // the feed temperature (the first port temperature with a value)
  const feedT = (doc as Doc).unit_models
    .flatMap((u) => Object.values(u.ports))
    .map((p) => p.properties.temperature?.data[0])
    .find((d) => d && typeof d.value === 'number') as { value: number }
  const baseT = feedT.value
  const first = solveDocument(doc)
  if (first.status !== 'success') throw new Error(`${name}: ${JSON.stringify(first.error)}`)
  const times: number[] = []
  const t0 = performance.now()
  while (times.length < minRuns || (performance.now() - t0 < budgetMs && times.length < 20000)) {
    if (cold) clearCompiled()
    // a slightly different feed temperature every run: no property value is reused from the
    // previous solve (as in real traffic), only the compiled sheet
    feedT.value = baseT + 1e-6 * (times.length % 1000)
    const t = performance.now()
    solveDocument(doc)
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const med = times[Math.floor(times.length / 2)]
  const p10 = times[Math.floor(times.length * 0.1)]
  const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} us` : `${ms.toFixed(2)} ms`)
  const units = (doc as { unit_models: unknown[] }).unit_models.length
  console.log(
    `${name.padEnd(28)} units ${String(units).padStart(3)}  median ${fmt(med).padStart(9)}  p10 ${fmt(p10).padStart(9)}  runs ${times.length}  (target ${target}; ${first.log.at(-1)})`,
  )
}

console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (shared machine: figures scale with load)`,
)
console.log(
  'same sheet solved again (compiled-sheet cache hit: values re-applied, then init + Newton):',
)
bench('pump (Rere reference)', pumpSheet(), '<= 100 us', 200)
bench('10-unit section, 1 recycle', sectionSheet(1), '-', 50)
bench('50-unit sheet, 5 recycles', sectionSheet(5), '<= 20 ms', 20)
bench('53 units, + outer recycle', outerRecycleSheet(5), '-', 10)
console.log('cold (cache cleared before every solve: build + structural analysis each time):')
bench('pump (Rere reference)', pumpSheet(), '<= 100 us', 200, true)
bench('10-unit section, 1 recycle', sectionSheet(1), '-', 50, true)
bench('50-unit sheet, 5 recycles', sectionSheet(5), '<= 20 ms', 20, true)
bench('53 units, + outer recycle', outerRecycleSheet(5), '-', 10, true)
