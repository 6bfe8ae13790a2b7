#!/usr/bin/env node
// `npm start`: build the web app if its sources changed since the last build, then run
// `rere start` (API + in-process solver + web app + embedded PGlite) on http://localhost:8080.
// Arguments after `--` go to `rere start` (e.g. `npm start -- --port 9090`).
import { spawnSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const web = join(root, 'apps/web')
const dist = join(web, 'dist/index.html')

function newest(dir) {
  let t = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist') continue
    const p = join(dir, e.name)
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

if (existsSync(join(web, 'index.html'))) {
  if (!existsSync(dist) || statSync(dist).mtimeMs < newest(web)) {
    console.log('building the web app (apps/web) ...')
    const r = spawnSync('npm', ['run', 'build', '-w', '@rere/web'], { stdio: 'inherit', cwd: root })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
}

const child = spawn(
  process.execPath,
  [join(root, 'apps/cli/bin/rere.mjs'), 'start', ...process.argv.slice(2)],
  { stdio: 'inherit', cwd: root },
)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
