/**
 * `rere experiment run PLAN [--dry-run]`: the seed's experiment matrices (plans in
 * tools/loadtest/plans/, docs/experiments.md) against Kubernetes (kubectl) or the local target.
 */
import type { Command } from 'commander'
import { EXIT, loadPlan, runExperiment } from '@rere/loadtest'
import { act, num } from './loadtest.ts'

export function register(program: Command): void {
  const ex = program
    .command('experiment')
    .description('run experiment plans (settings x load profiles x trials)')
  ex.command('run <plan>')
    .description(
      'apply each setting of a plan (kubectl or local worker processes), run its load profiles, restore',
    )
    .option('--dry-run', 'print every command and trial without running anything')
    .option(
      '--out-dir <dir>',
      'results root (a folder per plan / setting / run)',
      'loadtest-results',
    )
    .option('--token <token>', 'personal API token (default: RERE_TOKEN)')
    .option('--trials <n>', "override the plan's trial count")
    .option('--time-scale <x>', "override the plan's time scale (e.g. 0.05 for a smoke run)")
    .option('--rate-scale <x>', "override the plan's rate scale")
    .option('--cooldown <seconds>', "override the plan's cool-down")
    .action(
      (
        path: string,
        o: {
          dryRun?: boolean
          outDir: string
          token?: string
          trials?: string
          timeScale?: string
          rateScale?: string
          cooldown?: string
        },
      ) =>
        act('rere experiment run', async () => {
          const plan = loadPlan(path)
          const trials = num(o.trials, 'trials', 1, true)
          const timeScale = num(o.timeScale, 'time-scale', 1e-9)
          const rateScale = num(o.rateScale, 'rate-scale', 1e-9)
          const cooldownS = num(o.cooldown, 'cooldown', 0)
          if (trials !== undefined) plan.trials = trials
          if (timeScale !== undefined) plan.timeScale = timeScale
          if (rateScale !== undefined) plan.rateScale = rateScale
          if (cooldownS !== undefined) plan.cooldownS = cooldownS
          const { loadClientConfig } = await import('@rere/api/config')
          const env = loadClientConfig(process.env)
          const ac = new AbortController()
          const onSig = () => ac.abort()
          process.once('SIGINT', onSig)
          try {
            const index = await runExperiment({
              plan,
              outDir: o.outDir,
              dryRun: !!o.dryRun,
              token: o.token ?? env.token,
              signal: ac.signal,
              log: o.dryRun ? (l) => console.log(l) : (l) => console.error(l),
            })
            if (!index.complete) return EXIT.EXTERNAL_ABORT
            const reached = index.results.filter((r) => r.thresholdsCrossed).length
            // breakpoint runs are meant to cross their threshold: recorded, not a failure here
            if (reached) console.error(`${reached} run(s) reached their threshold (breakpoint)`)
          } finally {
            process.off('SIGINT', onSig)
          }
        }),
    )
}
