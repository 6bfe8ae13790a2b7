/**
 * Solving in the browser against `rere start` (Debian's Chromium, mouse and keyboard only):
 * the pump sheet (80 °C, 100 kPa, 1000 mol/s, efficiency 0.5, outlet 200 kPa) solved with
 * Ctrl+Enter; outlet 80.03 °C and mechanical work 3.71 kW on the page; both states on the
 * T–s diagram; a screenshot of the solved sheet in test-results/.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { buildPumpSheet, select } from './support/editor.ts'
import {
  ROOT,
  haveChromium,
  launch,
  startPlatform,
  watchConsole,
  type Platform,
} from './support/platform.ts'

const ARTIFACTS = join(ROOT, 'test-results')

describe.skipIf(!haveChromium)('solving in the editor (browser)', () => {
  let platform: Platform
  let browser: Browser
  let page: Page
  let errors: string[]

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    platform = await startPlatform()
    browser = await launch()
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } })
    page = await context.newPage()
    page.setDefaultTimeout(30_000)
    errors = watchConsole(page)
  })

  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('solves the pump sheet with Ctrl+Enter and shows the results', async () => {
    await buildPumpSheet(page, platform.url, `Pump solve ${Date.now()}`)
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } })
    await page.keyboard.press('Control+Enter')
    const status = page.getByRole('status', { name: 'Solve status' })
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toMatch(/Solved in [\d.]+ ms/)
    const s2 = page.locator('.stream-table tbody tr[data-stream="S2"]')
    await expect.poll(() => s2.locator('[data-col="temperature"]').textContent()).toBe('80.03')
    expect(await s2.locator('[data-col="pressure"]').textContent()).toBe('200.00')
    expect(await s2.locator('[data-col="phase"]').textContent()).toBe('liquid')
    await page.getByRole('tab', { name: 'Unit results' }).click()
    const work = page.locator('[data-unit="Pump-1"] [data-key="work_mechanical"] dd')
    await expect.poll(() => work.textContent()).toBe('3.71 kW')
    // computed properties filled in: the outlet temperature in the property panel
    await select(page, 'S2')
    await expect
      .poll(() => page.locator('.property-panel input[data-key="temperature"]').inputValue())
      .toBe('80.03')
  })

  it('plots both streams on the T–s diagram; screenshot of the solved sheet', async () => {
    await page.getByRole('tab', { name: /T–s/ }).click()
    const ts = page.getByTestId('ts-diagram')
    await ts.locator('.dome').waitFor()
    await expect.poll(() => ts.locator('.state-point').count()).toBe(2)
    expect(await ts.locator('.state-point[data-stream="S1"]').count()).toBe(1)
    expect(await ts.locator('.state-point[data-stream="S2"]').count()).toBe(1)
    expect(await page.getByTestId('ph-diagram').locator('.state-point').count()).toBe(2)
    await page.screenshot({ path: join(ARTIFACTS, 'editor-solved-diagrams.png') })
    await page.getByRole('tab', { name: 'Stream table' }).click()
    await page.screenshot({ path: join(ARTIFACTS, 'editor-solved.png') })
  })

  it('shows a solver error on the unit it concerns; undo and solve again', async () => {
    await select(page, 'S2')
    const p = page.locator('.property-panel input[data-key="pressure"]')
    await p.click()
    await p.press('Control+a')
    await p.press('Backspace')
    await p.press('Enter')
    await expect
      .poll(() =>
        page.locator('.property-panel .prop-row[data-key="pressure"]').getAttribute('class'),
      )
      .toContain('computed')
    await expect
      .poll(() => page.getByRole('status', { name: 'Degrees of freedom' }).textContent())
      .toMatch(/under-specified/i)
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } })
    await page.keyboard.press('Control+Enter')
    const status = page.getByRole('status', { name: 'Solve status' })
    await expect.poll(() => status.textContent()).toMatch(/Solve failed/)
    const onUnit = page.locator('.react-flow__node-unit .node-error')
    await expect.poll(() => onUnit.textContent()).toMatch(/Pump-1/)
    // the 422 reply itself: expected here
    const i = errors.findIndex((e) => e.startsWith('http 422 POST /api/solve/idaes/'))
    expect(i).toBeGreaterThanOrEqual(0)
    errors.splice(i, 1)

    await page.keyboard.press('Control+z')
    await expect
      .poll(() => page.getByRole('status', { name: 'Degrees of freedom' }).textContent())
      .toMatch(/square/i)
    await page.keyboard.press('Control+Enter')
    await expect.poll(() => status.textContent()).toMatch(/Solved in/)
    await expect.poll(() => onUnit.count()).toBe(0)
    await page.getByRole('tab', { name: 'Stream table' }).click()
    await expect
      .poll(() =>
        page.locator('.stream-table tr[data-stream="S2"] [data-col="temperature"]').textContent(),
      )
      .toBe('80.03')
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })
})
