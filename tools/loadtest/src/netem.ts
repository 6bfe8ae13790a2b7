/**
 * Latency injection (opt-in only): adds a fixed delay with `tc qdisc add dev DEV root netem
 * delay 5ms` (as the seed did), optionally inside a network namespace (`ip netns exec NS tc ...`),
 * runs the work, and always removes the qdisc afterwards (finally, and on SIGINT/SIGTERM).
 * Refused when CI is set: never part of an automated run. Needs CAP_NET_ADMIN (root).
 */
import { execFile, execFileSync } from 'node:child_process'
import { configError, EXIT, LoadtestError } from './errors.ts'

export interface NetemOptions {
  /** e.g. "5ms", "250us", "0.5s" */
  delay: string
  /** interface, e.g. "lo" or "eth0" */
  dev: string
  /** optional network namespace */
  netns?: string
  log?: (line: string) => void
}

function argv(o: NetemOptions, action: 'add' | 'del'): string[] {
  const tc = [
    'tc',
    'qdisc',
    action,
    'dev',
    o.dev,
    'root',
    'netem',
    ...(action === 'add' ? ['delay', o.delay] : []),
  ]
  return o.netns ? ['ip', 'netns', 'exec', o.netns, ...tc] : tc
}

export function netemCommands(o: NetemOptions): { add: string[]; del: string[] } {
  return { add: argv(o, 'add'), del: argv(o, 'del') }
}

function validate(o: NetemOptions): void {
  const ci = process.env.CI
  if (ci && ci !== 'false' && ci !== '0')
    throw configError(
      'LOADTEST_NETEM_IN_CI',
      'latency injection is never enabled in CI (CI is set)',
      { field: 'netemDelay' },
    )
  if (!/^\d+(\.\d+)?(us|ms|s)$/.test(o.delay))
    throw configError('LOADTEST_BAD_OPTION', `--netem-delay: expected e.g. 5ms, got "${o.delay}"`, {
      field: 'netemDelay',
    })
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(o.dev))
    throw configError('LOADTEST_BAD_OPTION', `--netem-dev: not an interface name: "${o.dev}"`, {
      field: 'netemDev',
    })
  if (o.netns !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(o.netns))
    throw configError('LOADTEST_BAD_OPTION', `--netem-netns: not a namespace name: "${o.netns}"`, {
      field: 'netemNetns',
    })
}

function run(cmd: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(cmd[0], cmd.slice(1), (e, _out, err) =>
      e
        ? reject(
            new LoadtestError(
              'LOADTEST_NETEM_FAILED',
              `${cmd.join(' ')}: ${
                String(err || e.message)
                  .trim()
                  .split('\n')[0]
              }`,
              { exitCode: EXIT.SETUP_FAILED },
            ),
          )
        : resolve(),
    ),
  )
}

/** Run `work` with the delay in place; the qdisc is removed whatever happens. */
export async function withNetem<T>(o: NetemOptions, work: () => Promise<T>): Promise<T> {
  validate(o)
  const { add, del } = netemCommands(o)
  const log = o.log ?? (() => {})
  log(`latency injection: ${add.join(' ')}`)
  await run(add)
  let removed = false
  const removeSync = () => {
    if (removed) return
    removed = true
    try {
      execFileSync(del[0], del.slice(1), { stdio: 'ignore' })
    } catch {
      // reported by the caller's finally if it still runs
    }
  }
  const onSignal = (sig: NodeJS.Signals) => {
    removeSync()
    process.kill(process.pid, sig)
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    return await work()
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (!removed) {
      removed = true
      log(`latency injection removed: ${del.join(' ')}`)
      await run(del)
    }
  }
}
