/**
 * Editor benchmarks (printed figures; not part of `npm test`):
 *  1. gzip size of the initial route's JS and CSS (apps/web/dist, what index.html loads);
 *  2. time from navigation to an interactive canvas for a 50-unit flowsheet, headless Chromium;
 *  3. time from the Solve click to the results shown, for the pump sheet.
 * Run: `npm run bench -w @rere/e2e` (starts `rere start` on a free port; RERE_E2E_URL=... to
 * use a running platform). Sheets are seeded through the API here (a benchmark, not a test).
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ROOT, buildWeb, launch, startPlatform } from '../support/platform.ts'

const RUNS = Number(process.env.BENCH_RUNS ?? 7)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const fmt = (xs: number[]) =>
  `median ${median(xs).toFixed(0)} ms, min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)} (n=${xs.length})`

function bundleSize() {
  buildWeb()
  const dist = join(ROOT, 'apps/web/dist')
  const html = readFileSync(join(dist, 'index.html'), 'utf8')
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1])
  let js = 0
  let css = 0
  let raw = 0
  for (const r of refs) {
    const buf = readFileSync(join(dist, r))
    const gz = gzipSync(buf, { level: 9 }).length
    raw += statSync(join(dist, r)).size
    if (r.endsWith('.js')) js += gz
    else css += gz
  }
  console.log(
    `initial route: ${refs.length} files, ${(raw / 1024).toFixed(1)} KiB raw; gzip JS ${(js / 1024).toFixed(1)} KiB + CSS ${(css / 1024).toFixed(1)} KiB = ${((js + css) / 1024).toFixed(1)} KiB`,
  )
}

async function call<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`)
  return (r.status === 204 ? null : await r.json()) as T
}

interface Obj {
  id: number
  ports: { id: number; name: string; direction: string }[]
  properties: { contained_properties: { id: number; key: string }[] }
}

async function seedChain(base: string, n: number): Promise<number> {
  const fs = await call<{ id: number }>(base, 'POST', '/api/flowsheets/', {
    name: `bench-${n}-units`,
  })
  const units: Obj[] = []
  for (let i = 0; i < n; i++)
    units.push(
      await call<Obj>(base, 'POST', '/api/unitops/simulationobjects/', {
        flowsheetOwner: fs.id,
        objectType: i % 2 ? 'heater' : 'pump',
        componentName: `U-${i + 1}`,
        x: 160 * (i % 10),
        y: 140 * Math.floor(i / 10),
      }),
    )
  const port = (u: Obj, d: string) => u.ports.find((p) => p.direction === d)!.id
  for (let i = 0; i <= n; i++) {
    const body: Record<string, unknown> = {
      flowsheetOwner: fs.id,
      objectType: 'stream',
      componentName: `S${i + 1}`,
    }
    if (i > 0) body.source = port(units[i - 1], 'outlet')
    if (i < n) body.destination = port(units[i], 'inlet')
    await call(base, 'POST', '/api/unitops/simulationobjects/', body)
  }
  return fs.id
}

async function seedPump(base: string): Promise<number> {
  const fs = await call<{ id: number }>(base, 'POST', '/api/flowsheets/', { name: 'bench-pump' })
  const pump = await call<Obj>(base, 'POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: fs.id,
    objectType: 'pump',
    componentName: 'Pump-1',
    x: 300,
    y: 200,
  })
  const s1 = await call<Obj>(base, 'POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: fs.id,
    objectType: 'stream',
    componentName: 'S1',
    destination: pump.ports.find((p) => p.name === 'inlet')!.id,
  })
  const s2 = await call<Obj>(base, 'POST', '/api/unitops/simulationobjects/', {
    flowsheetOwner: fs.id,
    objectType: 'stream',
    componentName: 'S2',
    source: pump.ports.find((p) => p.name === 'outlet')!.id,
  })
  const prop = (o: Obj, k: string) => o.properties.contained_properties.find((p) => p.key === k)!.id
  const set = (id: number, value: number, unit: string) =>
    call(base, 'PATCH', `/api/core/propertyinfo/${id}/`, { value, unit, fixed: true })
  await set(prop(s1, 'temperature'), 80, 'degC')
  await set(prop(s1, 'pressure'), 100, 'kPa')
  await set(prop(s1, 'flow_mol'), 1000, 'mol/s')
  await set(prop(pump, 'efficiency_pump'), 0.5, 'dimensionless')
  await set(prop(s2, 'pressure'), 200, 'kPa')
  return fs.id
}

const SOLVE_AND_WAIT = `new Promise((resolve, reject) => {
  const btn = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Solve')
  const t0 = performance.now()
  let started = false
  btn.click()
  const tick = () => {
    const busy = btn.disabled
    if (busy) started = true
    const row = document.querySelector('.stream-table tr[data-stream="S2"] [data-col="temperature"]')
    const status = document.querySelector('[aria-label="Solve status"]')?.textContent ?? ''
    if (started && !busy && row) {
      if (!/Solved in/.test(status)) return reject(new Error(status))
      return resolve(performance.now() - t0)
    }
    if (performance.now() - t0 > 30000) return reject(new Error('timeout'))
    requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
})`

async function main() {
  bundleSize()
  const platform = await startPlatform()
  const browser = await launch()
  try {
    const big = await seedChain(platform.url, 50)
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } })
      const page = await ctx.newPage()
      await page.goto(`${platform.url}/flowsheets/${big}`)
      await page.waitForFunction(
        "document.querySelectorAll('.react-flow__node-unit').length >= 50 && document.querySelectorAll('.react-flow__edge').length >= 51",
        undefined,
        { timeout: 60_000, polling: 'raf' },
      )
      // interactive: the next frame after the nodes are on screen
      times.push(
        (await page.evaluate(
          'new Promise((r) => requestAnimationFrame(() => r(performance.now())))',
        )) as number,
      )
      await ctx.close()
    }
    console.log(
      `navigation -> interactive canvas, 50 units + 51 streams (fresh context each): ${fmt(times)}`,
    )

    const pumpId = await seedPump(platform.url)
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    const page = await ctx.newPage()
    await page.goto(`${platform.url}/flowsheets/${pumpId}`)
    await page.getByRole('button', { name: 'Solve' }).waitFor()
    await page.waitForFunction(
      "/square/i.test(document.querySelector('.dof-indicator')?.textContent ?? '')",
    )
    const solveTimes: number[] = []
    for (let i = 0; i < RUNS; i++) {
      // a string, not a function: tsx would inject its helpers into a serialised function
      const ms = (await page.evaluate(SOLVE_AND_WAIT)) as number
      solveTimes.push(ms)
    }
    const t = await page
      .locator('.stream-table tr[data-stream="S2"] [data-col="temperature"]')
      .textContent()
    console.log(`Solve click -> results shown, pump sheet (S2 T = ${t} °C): ${fmt(solveTimes)}`)
    await ctx.close()
  } finally {
    await browser.close()
    await platform.stop()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
