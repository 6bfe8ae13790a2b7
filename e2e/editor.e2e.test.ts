/**
 * The flowsheet editor in a real browser (Debian's Chromium) against `rere start`, driven with
 * the mouse and keyboard only: build and specify the pump sheet (DOF under-specified -> square),
 * undo/redo, delete with the keyboard, a concurrent change (412) and reload, export/import
 * round trip, no console errors. Solving is in solve.e2e.test.ts.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { buildPumpSheet, dof, dropUnit, node, select, unitNodes } from './support/editor.ts'
import {
  ROOT,
  haveChromium,
  launch,
  startPlatform,
  watchConsole,
  type Platform,
} from './support/platform.ts'

const ARTIFACTS = join(ROOT, 'test-results')

describe.skipIf(!haveChromium)('flowsheet editor (browser)', () => {
  let platform: Platform
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let errors: string[]
  const name = `Pump e2e ${Date.now()}`

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    platform = await startPlatform()
    browser = await launch()
    context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    })
    page = await context.newPage()
    page.setDefaultTimeout(30_000)
    errors = watchConsole(page)
  })

  afterAll(async () => {
    await browser?.close()
    await platform?.stop()
  })

  it('builds the pump sheet from the palette; DOF names what is missing, then turns square', async () => {
    await buildPumpSheet(page, platform.url, name)
  })

  it('undoes and redoes adding a unit, deletes with the keyboard', async () => {
    await dropUnit(page, 'heater', 0.75, 0.25)
    await expect.poll(() => unitNodes(page).count()).toBe(2)
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } })
    await page.keyboard.press('Control+z')
    await expect.poll(() => unitNodes(page).count()).toBe(1)
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(() => unitNodes(page).count()).toBe(2)
    await node(page, 'Heater-1').click()
    await page.keyboard.press('Delete')
    await expect.poll(() => unitNodes(page).count()).toBe(1)
    await page.getByRole('button', { name: 'Undo' }).click()
    await expect.poll(() => unitNodes(page).count()).toBe(2)
    await page.getByRole('button', { name: 'Redo' }).click()
    await expect.poll(() => unitNodes(page).count()).toBe(1)
    await expect.poll(() => dof(page).textContent()).toMatch(/square/i)
  })

  it("changes a mixer's number of inlets; its ports follow, and undo puts them back", async () => {
    await dropUnit(page, 'mixer', 0.75, 0.7)
    await select(page, 'Mixer-1')
    const inlets = () => node(page, 'Mixer-1').locator('[data-port^="inlet_"]').count()
    await expect.poll(inlets).toBe(2)
    const field = page.locator('.property-panel').getByLabel('Inlets')
    await field.fill('3')
    await field.press('Enter')
    await expect.poll(inlets).toBe(3)
    await expect.poll(() => field.inputValue()).toBe('3')
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } })
    await page.keyboard.press('Control+z')
    await expect.poll(inlets).toBe(2)
    await node(page, 'Mixer-1').click()
    await page.keyboard.press('Delete')
    await expect.poll(() => unitNodes(page).count()).toBe(1)
  })

  it('places units with the keyboard, multi-selects with Shift-click, deletes and restores both', async () => {
    await page.getByRole('button', { name: 'Add Valve' }).focus()
    await page.keyboard.press('Enter')
    await node(page, 'Valve-1').waitFor()
    await page.getByRole('button', { name: 'Add Cooler' }).focus()
    await page.keyboard.press('Enter')
    await node(page, 'Cooler-1').waitFor()
    await expect.poll(() => unitNodes(page).count()).toBe(3)
    // both land in the middle of the view: move the cooler away with the mouse
    const c = await node(page, 'Cooler-1').boundingBox()
    await page.mouse.move(c!.x + c!.width / 2, c!.y + 10)
    await page.mouse.down()
    await page.mouse.move(c!.x + c!.width / 2 + 120, c!.y + 130, { steps: 8 })
    await page.mouse.up()
    await node(page, 'Valve-1').click()
    await node(page, 'Cooler-1').click({ modifiers: ['Shift'] })
    await page.getByRole('heading', { name: '2 objects selected' }).waitFor()
    await page.keyboard.press('Delete')
    await expect.poll(() => unitNodes(page).count()).toBe(1)
    await page.keyboard.press('Control+z')
    await expect.poll(() => unitNodes(page).count()).toBe(3)
    await page.keyboard.press('Control+Shift+z')
    await expect.poll(() => unitNodes(page).count()).toBe(1)
  })

  it('saves positions as you work (they survive a reload)', async () => {
    const before = (await node(page, 'Pump-1').boundingBox())!
    await page.mouse.move(before.x + before.width / 2, before.y + 10)
    await page.mouse.down()
    await page.mouse.move(before.x + before.width / 2 + 60, before.y + 90, { steps: 8 })
    await page.mouse.up()
    const moved = (await node(page, 'Pump-1').boundingBox())!
    expect(moved.y - before.y).toBeGreaterThan(40)
    await expect.poll(() => page.locator('.saving').textContent()).toBe('Saved')
    await page.waitForTimeout(600) // the debounced PATCH (300 ms) has gone out
    await expect.poll(() => page.locator('.saving').textContent()).toBe('Saved')
    await page.reload()
    await node(page, 'Pump-1').waitFor()
    // the view is fitted again after a reload: compare the pump with its feed instead
    const pump = (await node(page, 'Pump-1').boundingBox())!
    const feed = (await node(page, 'S1').boundingBox())!
    expect(pump.y - feed.y).toBeGreaterThan(30)
  })

  it('undoes a property edit', async () => {
    await select(page, 'S2')
    const p = page.locator('.property-panel input[data-key="pressure"]')
    await p.click()
    await p.press('Control+a')
    await p.pressSequentially('250')
    await p.press('Enter')
    await expect.poll(() => p.inputValue()).toBe('250')
    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } })
    await page.keyboard.press('Control+z')
    await select(page, 'S2')
    await expect.poll(() => p.inputValue()).toBe('200')
  })

  it('a change made elsewhere (412) offers to reload', async () => {
    const other = await context.newPage()
    const otherErrors = watchConsole(other)
    await other.goto(page.url())
    await other.locator('.react-flow__node', { hasText: 'S1' }).first().click()
    const nameField = other.locator('.property-panel').getByLabel('Name')
    await nameField.click()
    await nameField.press('Control+a')
    await nameField.pressSequentially('Feed')
    await nameField.press('Enter')
    await other.locator('.react-flow__node', { hasText: 'Feed' }).first().waitFor()
    await other.close()
    expect(otherErrors).toEqual([])

    await select(page, 'Pump-1')
    const eff = page.locator('.property-panel input[data-key="efficiency_pump"]')
    await eff.click()
    await eff.press('Control+a')
    await eff.pressSequentially('0.6')
    await eff.press('Enter')
    const banner = page.getByRole('alert').filter({ hasText: 'changed elsewhere' })
    await banner.waitFor()
    await banner.getByRole('button', { name: 'Reload' }).click()
    await banner.waitFor({ state: 'detached' })
    await node(page, 'Feed').waitFor()
    await select(page, 'Pump-1')
    await expect
      .poll(() => page.locator('.property-panel input[data-key="efficiency_pump"]').inputValue())
      .toBe('0.5')
    // the 412 reply itself: expected here
    const i = errors.findIndex((e) => e.startsWith('http 412'))
    expect(i).toBeGreaterThanOrEqual(0)
    errors.splice(i, 1)
  })

  it('exports the sheet and imports it back', async () => {
    await page.getByRole('link', { name: 'Rere' }).click()
    await page.getByRole('heading', { name: 'Flowsheets' }).waitFor()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Export ${name} (Rere)` }).click(),
    ])
    const file = join(ARTIFACTS, 'pump-export.rere.json')
    await download.saveAs(file)
    expect(readFileSync(file, 'utf8')).toContain('Pump-1')
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Import JSON…' }).click(),
    ])
    await chooser.setFiles(file)
    await page.waitForURL(/\/flowsheets\/\d+$/)
    await node(page, 'Pump-1').waitFor()
    await node(page, 'Feed').waitFor()
    await expect.poll(() => unitNodes(page).count()).toBe(1)
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2)
    await expect.poll(() => dof(page).textContent(), { timeout: 15_000 }).toMatch(/square/i)
    await select(page, 'Feed')
    await expect
      .poll(() => page.locator('.property-panel input[data-key="temperature"]').inputValue())
      .toBe('80')
  })

  it('logged no console errors', () => {
    expect(errors).toEqual([])
  })
})
