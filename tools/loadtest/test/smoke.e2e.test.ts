/**
 * A smoke experiment end to end against `rere start` (time-scaled to well under a minute): the
 * experiment runner, per trial the pump fixture created and deleted over the API, the open-model
 * runner on UOR and FS, the analyzer and the reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPlatform, type Platform } from '../../../e2e/support/platform.ts'
import { runExperiment, validatePlan } from '../src/experiment.ts'
import { loadRun } from '../src/report.ts'

let platform: Platform
beforeAll(async () => {
  platform = await startPlatform()
}, 180_000)
afterAll(async () => {
  await platform?.stop()
})

describe('smoke experiment against rere start', () => {
  it('runs UOR and FS spike profiles, 2 trials each, and reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'rere-smoke-'))
    const plan = validatePlan({
      name: 'smoke',
      description: 'UOR and FS spike at 3% of the time: 7.2 s each',
      target: { kind: 'url', url: platform.url },
      runs: [
        { endpoint: 'uor', profile: 'spike' },
        { endpoint: 'fs', profile: 'spike' },
      ],
      settings: [{ name: 'rere-start' }],
      trials: 2,
      cooldownS: 1,
      timeScale: 0.03,
    })
    const t0 = Date.now()
    const index = await runExperiment({ plan, outDir: out, log: () => {} })
    expect(Date.now() - t0).toBeLessThan(60_000)
    expect(index.complete).toBe(true)
    expect(index.results).toHaveLength(2)
    for (const r of index.results) {
      const run = await loadRun([r.dir])
      expect(run.trials).toHaveLength(2)
      for (const t of run.trials) {
        // spike at 3%: 1.8 s at the average, 0.9 s up, 1.8 s at the peak, 0.9 s down, 1.8 s
        const expected =
          r.endpoint === 'uor'
            ? 15 * 1.8 + 47.5 * 0.9 + 80 * 1.8 + 47.5 * 0.9 + 15 * 1.8
            : 1 * 1.8 + 4.5 * 0.9 + 8 * 1.8 + 4.5 * 0.9 + 1 * 1.8
        expect(t.summary.requests + t.summary.dropped).toBe(Math.floor(expected + 1e-9))
        expect(t.summary.errorRate).toBe(0)
        expect(t.summary.medianMs).toBeGreaterThan(0)
      }
      expect(existsSync(join(r.dir, 'report.html'))).toBe(true)
    }
    expect(readFileSync(join(out, 'smoke', 'summary.md'), 'utf8')).toContain(
      '## rere-start: fs spike',
    )
    // every fixture was deleted after its trial
    const sheets = (await (await fetch(`${platform.url}/api/flowsheets/`)).json()) as {
      name: string
    }[]
    expect(sheets.filter((s) => s.name.startsWith('pump-fixture-'))).toEqual([])
  }, 120_000)
})
