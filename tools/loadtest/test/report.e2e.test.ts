/** The HTML report opens in headless Chromium with no console errors and its charts render. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { haveChromium, launch, watchConsole } from '../../../e2e/support/platform.ts'
import { NdjsonWriter } from '../src/output.ts'
import { loadRun, writeReport } from '../src/report.ts'

const dir = mkdtempSync(join(tmpdir(), 'rere-html-'))
let browser: Browser

beforeAll(async () => {
  if (haveChromium) browser = await launch()
})
afterAll(async () => {
  await browser?.close()
})

describe.skipIf(!haveChromium)('HTML report in Chromium', () => {
  it('renders every chart with no console errors', async () => {
    const run = join(dir, 'run')
    mkdirSync(run)
    const t0 = Date.UTC(2026, 0, 1)
    for (const trial of [1, 2]) {
      const w = new NdjsonWriter(join(run, `trial-${trial}.ndjson`))
      const tags = JSON.stringify({
        method: 'POST',
        url: 'http://h/api/solve/idaes/',
        status: '200',
      })
      for (let i = 0; i < 600; i++) {
        const start = t0 + i * 50
        const dur = i < 300 ? 150 : 1500 + trial * 10
        w.point('http_reqs', start + dur, 1, tags)
        w.point('http_req_duration', start + dur, dur, tags)
        w.point('http_req_blocked', start + dur, 0.2, tags)
        w.point('http_req_failed', start + dur, i % 50 === 0 ? 1 : 0, tags)
      }
      for (let s = 0; s < 32; s++) w.point('vus', t0 + s * 1000, s < 15 ? 3 : 30, null)
      await w.close(true)
    }
    writeReport(await loadRun([run], { tauS: 2 }), run)
    const page = await browser.newPage()
    const errors = watchConsole(page)
    const failedRequests: string[] = []
    page.on('requestfailed', (r) => failedRequests.push(r.url()))
    await page.goto(pathToFileURL(join(run, 'report.html')).toString())
    await page.getByRole('heading', { name: 'Summary' }).waitFor()
    const charts = page.locator('svg.chart')
    expect(await charts.count()).toBe(2 + 3) // two response-time charts, rates, VUs, errors
    for (let i = 0; i < (await charts.count()); i++) {
      const box = await charts.nth(i).boundingBox()
      expect(box!.width).toBeGreaterThan(300)
      expect(box!.height).toBeGreaterThan(100)
      const paths = charts.nth(i).locator('path.series')
      expect(await paths.count()).toBeGreaterThan(0)
      const pb = await paths.first().boundingBox()
      expect(pb!.width).toBeGreaterThan(100) // a drawn line, not an empty path
    }
    expect(await page.locator('text', { hasText: /degraded at/ }).count()).toBe(2)
    expect(await page.locator('table tr').count()).toBeGreaterThan(5)
    expect(errors).toEqual([])
    expect(failedRequests).toEqual([]) // self-contained: nothing fetched
    await page.close()
  })
})
