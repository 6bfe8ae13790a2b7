/** Mouse-and-keyboard steps in the editor shared by the browser specs. */
import { expect } from 'vitest'
import type { Page } from 'playwright-core'
import { centre, drag } from './platform.ts'

export const node = (page: Page, text: string) =>
  page.locator('.react-flow__node', { hasText: text }).first()
export const unitNodes = (page: Page) => page.locator('.react-flow__node-unit')
export const dof = (page: Page) => page.getByRole('status', { name: 'Degrees of freedom' })

/** Click a node and wait for its property panel. */
export async function select(page: Page, text: string): Promise<void> {
  await node(page, text).click()
  await page.locator('.property-panel').getByLabel('Name').first().waitFor()
  await expect.poll(() => page.getByLabel('Name').inputValue()).toBe(text)
}

/** Type a specification into the property panel: choose the unit, type the value, Enter. */
export async function specify(page: Page, key: string, value: string, unit?: string) {
  const panel = page.locator('.property-panel')
  if (unit) {
    const sel = panel.locator(`select[data-key="${key}"]`)
    if ((await sel.inputValue()) !== unit) {
      await sel.selectOption(unit)
      await expect.poll(() => sel.inputValue()).toBe(unit)
      await expect.poll(() => sel.isEnabled()).toBe(true)
    }
  }
  const input = panel.locator(`input[data-key="${key}"]`)
  await input.click()
  await input.press('Control+a')
  await input.pressSequentially(value)
  await input.press('Enter')
  await expect
    .poll(() => panel.locator(`.prop-row[data-key="${key}"]`).getAttribute('class'))
    .toContain('specified')
  await expect.poll(() => panel.locator(`input[data-key="${key}"]`).inputValue()).toBe(value)
}

/** Pending writes saved and two frames rendered: the canvas has measured what it shows. */
export async function settle(page: Page): Promise<void> {
  await expect.poll(() => page.locator('.saving').textContent()).toBe('Saved')
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
}

/** Run a step; on failure save a screenshot and add the page's banners to the error. */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    const file = `test-results/failed-${name.replace(/\W+/g, '-')}.png`
    await page.screenshot({ path: file }).catch(() => undefined)
    const banners = await page
      .locator('.banner')
      .allTextContents()
      .catch(() => [])
    throw new Error(
      `${name}: ${(e as Error).message}\nbanners: ${JSON.stringify(banners)}\nscreenshot: ${file}`,
    )
  }
}

/** Drag a palette item onto the canvas at fractions (fx, fy) of its size. */
export async function dropUnit(page: Page, type: string, fx = 0.5, fy = 0.5) {
  const canvas = (await page.locator('.react-flow').boundingBox())!
  await drag(page, await centre(page, `.palette-item[data-type="${type}"]`), {
    x: canvas.x + canvas.width * fx,
    y: canvas.y + canvas.height * fy,
  })
}

/**
 * From the list page: create a sheet, drag a pump from the palette, draw its feed and product,
 * read the DOF message, type 80 °C, 100 kPa, 1000 mol/s, efficiency 0.5, outlet 200 kPa, and
 * wait for the DOF indicator to turn square.
 */
export async function buildPumpSheet(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(baseUrl)
  await page.getByRole('heading', { name: 'Flowsheets' }).waitFor()
  await expect.poll(() => page.getByLabel('Signed in as').textContent()).not.toBe('')
  await page.getByLabel('New flowsheet name').fill(name)
  await page.getByRole('button', { name: 'Create flowsheet' }).click()
  await page.waitForURL(/\/flowsheets\/\d+$/)
  await page.getByRole('heading', { name }).waitFor()

  await page.getByRole('button', { name: 'Add Pump' }).waitFor()
  await step(page, 'drop a pump', async () => {
    await settle(page)
    await dropUnit(page, 'pump')
    await node(page, 'Pump-1').waitFor()
  })
  await expect.poll(() => unitNodes(page).count()).toBe(1)
  // inlet handle -> empty space on the left: a feed; outlet -> the right: a product
  await step(page, 'draw the feed', async () => {
    await settle(page)
    const inlet = await centre(page, '.react-flow__node-unit [data-port="inlet"]')
    await drag(page, inlet, { x: inlet.x - 180, y: inlet.y })
    await page.locator('.react-flow__node-feed').first().waitFor()
  })
  await step(page, 'draw the product', async () => {
    await settle(page)
    const outlet = await centre(page, '.react-flow__node-unit [data-port="outlet"]')
    await drag(page, outlet, { x: outlet.x + 180, y: outlet.y })
    await page.locator('.react-flow__node-product').first().waitFor()
  })
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2)

  await expect.poll(() => dof(page).textContent()).toMatch(/under-specified/i)
  const message = (await dof(page).locator('.dof-message').textContent()) ?? ''
  expect(message).toMatch(/temperature|pressure|flow|efficiency|enth|vapor/i)

  await step(page, 'specify the sheet', async () => {
    await select(page, 'S1')
    await specify(page, 'temperature', '80', 'degC')
    await specify(page, 'pressure', '100', 'kPa')
    await specify(page, 'flow_mol', '1000', 'mol/s')
    await select(page, 'Pump-1')
    await specify(page, 'efficiency_pump', '0.5')
    await select(page, 'S2')
    await specify(page, 'pressure', '200', 'kPa')
    await expect.poll(() => dof(page).textContent(), { timeout: 15_000 }).toMatch(/square/i)
  })
  await expect
    .poll(() => node(page, 'Pump-1').locator('.dof-badge').getAttribute('class'))
    .toContain('square')
}
