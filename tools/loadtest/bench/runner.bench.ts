/**
 * The runner's own ceiling: how many requests per second it can start with correct timing
 * against a trivial local server (a bare TCP server answering `200 OK`, in its own process),
 * and its CPU and memory per 1000 req/s. Prints a table.
 *   node --import tsx tools/loadtest/bench/runner.bench.ts [rates...] [--secs 3] [--out]
 * `--out` also writes the k6 NDJSON results (the real cost of a run).
 * A rate "holds" when every scheduled iteration started (no drops), the achieved start rate is
 * within 2%, and iterations start on time: lag p50 <= 1 ms and p99 <= 50 ms (p99 on a shared
 * machine is mostly other processes' scheduling noise).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { run } from '../src/runner.ts'
import { builtin } from '../src/profiles.ts'
import { startServer } from '../test/helpers.ts'

const args = process.argv.slice(2)
const secsAt = args.indexOf('--secs')
const secs = secsAt >= 0 ? Number(args[secsAt + 1]) : 3
const withOut = args.includes('--out')
const rates = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--secs').map(Number)
const list = rates.length ? rates : [250, 500, 1000, 2000, 3000, 4000, 5000]

const srv = await startServer({ RAW: '1' })
const rssBase = process.memoryUsage().rss
const dir = mkdtempSync(join(os.tmpdir(), 'rere-bench-'))
const base = { ...builtin().baseOptions, httpTimeout: '10s' }
console.log(
  `runner ceiling: ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}, ${secs} s per rate, NDJSON output ${withOut ? 'on' : 'off'}`,
)
console.log(
  'target/s  started  dropped  achieved/s  err%   lag p50/p99/max ms   CPU% (1 core)  CPU%/1000 req/s  RSS MiB  +RSS MiB/1000 req/s  holds',
)
let ceiling = 0
const perK: number[] = []
for (const rate of list) {
  const rss0 = process.memoryUsage().rss
  const r = await run({
    scenario: {
      executor: 'ramping-arrival-rate',
      startRate: rate,
      timeUnit: '1s',
      preAllocatedVUs: Math.max(50, rate),
      maxVUs: Math.max(100, rate * 2),
      gracefulStop: '5s',
      stages: [{ duration: `${secs}s`, target: rate }],
    },
    request: { method: 'GET', url: `${srv.url}/` },
    base,
    out: withOut ? join(dir, `r${rate}.ndjson`) : undefined,
  })
  const wall = (r.endMs - r.startMs) / 1000
  const cpu = (r.cpu.userMs + r.cpu.systemMs) / 1000 / wall
  const err = Math.abs(r.achievedStartRate / rate - 1)
  const holds =
    r.dropped === 0 &&
    r.started === rate * secs &&
    err < 0.02 &&
    r.startLagMs.p50 <= 1 &&
    r.startLagMs.p99 <= 50
  if (holds) ceiling = rate
  perK.push((cpu * 100) / (rate / 1000))
  console.log(
    [
      String(rate).padStart(8),
      String(r.started).padStart(8),
      String(r.dropped).padStart(8),
      r.achievedStartRate.toFixed(1).padStart(11),
      ((r.failed / Math.max(1, r.completed)) * 100).toFixed(1).padStart(5),
      `${r.startLagMs.p50.toFixed(2)}/${r.startLagMs.p99.toFixed(2)}/${r.startLagMs.max.toFixed(1)}`.padStart(
        20,
      ),
      (cpu * 100).toFixed(0).padStart(14),
      ((cpu * 100) / (rate / 1000)).toFixed(1).padStart(16),
      (Math.max(r.maxRssBytes, rss0) / 2 ** 20).toFixed(0).padStart(8),
      (Math.max(0, r.maxRssBytes - rssBase) / 2 ** 20 / (rate / 1000)).toFixed(1).padStart(20),
      holds ? '  yes' : '  NO',
    ].join(' '),
  )
}
console.log(
  `ceiling (highest rate that holds): ${ceiling} req/s; median CPU per 1000 req/s: ${perK.sort((a, b) => a - b)[Math.floor(perK.length / 2)].toFixed(1)}% of one core`,
)
await srv.stop()
rmSync(dir, { recursive: true, force: true })
