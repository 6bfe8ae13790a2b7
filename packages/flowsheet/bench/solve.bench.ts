/**
 * Median in-process solve time (parse + analyse + initialise + Newton + reply) of three sheets.
 * Run: node --import tsx packages/flowsheet/bench/solve.bench.ts
 */
import { loadavg } from 'node:os'
import { solveDocument } from '../src/index.ts'
import { pumpSheet, sectionSheet } from './sheets.ts'

function bench(name: string, doc: unknown, target: string, minRuns: number, budgetMs = 3000) {
  const first = solveDocument(doc)
  if (first.status !== 'success') throw new Error(`${name}: ${JSON.stringify(first.error)}`)
  const times: number[] = []
  const t0 = performance.now()
  while (times.length < minRuns || (performance.now() - t0 < budgetMs && times.length < 20000)) {
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
bench('pump (Rere reference)', pumpSheet(), '<= 100 us', 200)
bench('10-unit section, 1 recycle', sectionSheet(1), '-', 50)
bench('50-unit sheet, 5 recycles', sectionSheet(5), '<= 20 ms', 20)
