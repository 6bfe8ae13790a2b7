/**
 * `node --import tsx cluster.ts --workers N -- SCRIPT ARGS...`: runs SCRIPT in N worker
 * processes with Node's cluster module, so they share one listening port (the local target of
 * the experiment runner: `rere api` / `rere solver` with N processes). When every worker
 * listens, the primary prints `cluster: N workers listening` on standard error. SIGTERM/SIGINT
 * are passed to the workers; the primary exits when they all have.
 */
import cluster from 'node:cluster'

const args = process.argv.slice(2)
const sep = args.indexOf('--')
const wi = args.indexOf('--workers')
const n = wi >= 0 ? Number(args[wi + 1]) : 1
if (sep < 0 || !args[sep + 1] || !Number.isInteger(n) || n < 1) {
  console.error('usage: cluster.ts --workers N -- SCRIPT [ARGS...]')
  process.exit(104)
}
cluster.setupPrimary({ exec: args[sep + 1], args: args.slice(sep + 2) })
let alive = 0
const listening = new Set<number>()
cluster.on('listening', (w) => {
  listening.add(w.id)
  if (listening.size === n) console.error(`cluster: ${n} workers listening`)
})
let stopping = false
let crashed = false
for (let i = 0; i < n; i++) {
  cluster.fork()
  alive++
}
cluster.on('exit', (w, code) => {
  alive--
  if (!stopping) {
    crashed = true
    console.error(`cluster: worker ${w.process.pid} exited (${code}); stopping`)
    stop('SIGTERM')
  }
  if (alive === 0) process.exit(crashed ? 1 : 0)
})
function stop(sig: NodeJS.Signals) {
  stopping = true
  for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(sig)
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGTERM'))
