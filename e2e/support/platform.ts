/**
 * Helpers for the browser specs: build the web app when its sources changed, start
 * `rere start` on a free port with a temporary data folder (a child process), launch Debian's
 * Chromium through playwright-core, collect console errors.
 * RERE_E2E_URL=http://... runs the specs against an already running platform instead.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const CI = process.env.CI === 'true' || process.env.CI === '1'
/** Skip outside CI when Chromium is missing; in CI a missing browser fails the run. */
export const haveChromium = existsSync(CHROMIUM)
if (!haveChromium && CI) throw new Error(`Chromium not found at ${CHROMIUM} (CI=true: failing)`)

function newest(dir: string): number {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

/** `npm run build -w @rere/web` when dist is missing or older than the sources. */
export function buildWeb(): void {
  const web = join(ROOT, 'apps/web')
  const index = join(web, 'dist/index.html')
  if (existsSync(index) && statSync(index).mtimeMs >= newest(web)) return
  // Vitest sets NODE_ENV=test, which would make Vite bundle React's development build into
  // the dist that `rere start` (and `npm start`) serve afterwards
  const r = spawnSync('npm', ['run', 'build', '-w', '@rere/web'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (r.status !== 0) throw new Error(`web build failed:\n${r.stdout}\n${r.stderr}`)
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0))
    })
  })
}

export interface Platform {
  url: string
  stop: () => Promise<void>
  log: () => string
}

/** Start `rere start` (API + in-process solver + web + PGlite) and wait until it answers. */
export async function startPlatform(): Promise<Platform> {
  if (process.env.RERE_E2E_URL) {
    return { url: process.env.RERE_E2E_URL.replace(/\/$/, ''), stop: async () => {}, log: () => '' }
  }
  buildWeb()
  const port = await freePort()
  const dataDir = mkdtempSync(join(tmpdir(), 'rere-e2e-'))
  let output = ''
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'apps/cli/bin/rere.mjs'), 'start', '--port', String(port), '--data-dir', dataDir],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const url = `http://127.0.0.1:${port}`
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rere start exited ${child.exitCode}:\n${output}`)
    try {
      const r = await fetch(`${url}/api/status/`)
      if (r.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`rere start did not answer within 90 s:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    url,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(t)
      }
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: LAUNCH_ARGS })
}

/** Every console error, failed request and uncaught page error, for "no console errors". */
export function watchConsole(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    // a failed request is logged as "Failed to load resource": recorded below, with its URL
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(`console: ${m.text()}`)
  })
  page.on('response', (r) => {
    if (r.status() >= 400)
      errors.push(`http ${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`)
  })
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  return errors
}

/** Drag with the mouse from the centre of one box to a point, in small steps. */
export async function drag(
  page: Page,
  from: { x: number; y: number },
  to: { x: number; y: number },
  steps = 12,
): Promise<void> {
  await page.mouse.move(from.x, from.y)
  await page.mouse.down()
  await page.mouse.move(from.x + 3, from.y + 3, { steps: 2 })
  await page.mouse.move(to.x, to.y, { steps })
  await page.mouse.up()
}

export async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const b = await page.locator(selector).first().boundingBox()
  if (!b) throw new Error(`no box for ${selector}`)
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 }
}
