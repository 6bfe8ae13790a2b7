/**
 * Speed of the document layer (B1): parseFlowsheet and the completion payload.
 * Run: node --import tsx packages/flowsheet/bench/document.bench.ts
 */
import { readFileSync } from 'node:fs'
import { parseFlowsheet } from '../src/document/index.ts'
import { collectProperties } from '../src/reply/index.ts'

const load = (n: string): unknown =>
  JSON.parse(
    readFileSync(new URL(`../src/document/fixtures/ahuora/${n}.json`, import.meta.url), 'utf8'),
  )

function median(label: string, n: number, fn: () => unknown): void {
  for (let i = 0; i < 200; i++) fn()
  const t: number[] = []
  for (let i = 0; i < n; i++) {
    const a = process.hrtime.bigint()
    fn()
    t.push(Number(process.hrtime.bigint() - a) / 1000)
  }
  t.sort((x, y) => x - y)
  const q = (p: number) => t[Math.floor(p * (t.length - 1))]!.toFixed(1)
  console.log(
    `${label.padEnd(40)} median ${q(0.5).padStart(7)} us   p90 ${q(0.9).padStart(7)} us   (${n} runs)`,
  )
}

for (const name of ['pump', 'pump_unit_conversions', 'expressions', 'header']) {
  const doc = load(name)
  median(`parseFlowsheet ${name}.json`, 2000, () => parseFlowsheet(doc))
  const m = parseFlowsheet(doc)
  median(`collectProperties ${name}.json`, 2000, () => collectProperties(m, (s) => s.value))
}
