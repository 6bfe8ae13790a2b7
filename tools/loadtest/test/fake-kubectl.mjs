#!/usr/bin/env node
// A fake kubectl for the experiment runner's tests: records every call (argv and stdin) as a
// JSON line in $FAKE_KUBE_LOG, keeps cluster state in $FAKE_KUBE_STATE, and simulates rollouts:
// after a replica change, readyReplicas climbs one step per `get deployment -o jsonpath` poll.
// $FAKE_KUBE_FAIL: a substring; a call whose argv contains it fails (exit 1).
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs'

const argv = process.argv.slice(2)
const stdin = process.stdin.isTTY
  ? ''
  : await new Promise((r) => {
      let s = ''
      process.stdin.on('data', (d) => (s += d))
      process.stdin.on('end', () => r(s))
      setTimeout(() => r(s), 200)
    })
appendFileSync(
  process.env.FAKE_KUBE_LOG,
  JSON.stringify({ argv, stdin: stdin || undefined }) + '\n',
)
const fail = process.env.FAKE_KUBE_FAIL
if (fail && argv.join(' ').includes(fail)) {
  console.error(`error: simulated failure (${fail})`)
  process.exit(1)
}
const statePath = process.env.FAKE_KUBE_STATE
const st = JSON.parse(readFileSync(statePath, 'utf8'))
const save = () => writeFileSync(statePath, JSON.stringify(st))
const a = argv.filter(
  (x, i) =>
    !(argv[i - 1] === '-n' || x === '-n' || argv[i - 1] === '--context' || x === '--context'),
)
const [verb, kind, name] = a
const clamp = (d) => {
  const h = st.hpa[d]
  if (h) st.deploy[d].spec = Math.min(Math.max(st.deploy[d].spec, h.minReplicas), h.maxReplicas)
}
if (verb === 'get' && kind === 'deployment' && a.includes('json')) {
  const d = st.deploy[name]
  console.log(
    JSON.stringify({
      spec: {
        replicas: d.spec,
        template: { spec: { containers: [{ name, resources: { requests: { cpu: d.cpu } } }] } },
      },
    }),
  )
} else if (verb === 'get' && kind === 'deployment') {
  const d = st.deploy[name]
  if (d.ready < d.spec) d.ready++
  else if (d.ready > d.spec) d.ready--
  save()
  console.log(`${d.spec} ${d.ready} ${d.ready}`)
} else if (verb === 'get' && kind === 'hpa') {
  const h = st.hpa[name]
  console.log(
    JSON.stringify({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name, namespace: 'rere', resourceVersion: '7', uid: 'u' },
      spec: h,
      status: { currentReplicas: 1 },
    }),
  )
} else if (verb === 'get' && kind === 'application') {
  console.log(JSON.stringify(st.argo))
} else if (verb === 'patch' && kind === 'hpa') {
  const p = JSON.parse(a[a.indexOf('-p') + 1]).spec
  Object.assign(st.hpa[name], p)
  clamp(name)
  save()
} else if (verb === 'patch' && kind === 'application') {
  st.argo = JSON.parse(a[a.indexOf('-p') + 1]).spec.syncPolicy.automated
  save()
} else if (verb === 'set') {
  const dep = name.replace('deployment/', '')
  st.deploy[dep].cpu = a
    .find((x) => x.startsWith('--requests=cpu='))
    .slice('--requests=cpu='.length)
  save()
} else if (verb === 'scale') {
  const dep = kind.replace('deployment/', '')
  st.deploy[dep].spec = Number(a.find((x) => x.startsWith('--replicas=')).slice(11))
  save()
} else if (verb === 'delete' && kind === 'hpa') {
  delete st.hpa[name]
  save()
} else if (verb === 'apply') {
  const m = JSON.parse(stdin)
  st.hpa[m.metadata.name] = m.spec
  save()
} else if (verb === 'rollout') {
  console.log('deployment successfully rolled out')
} else {
  console.error(`fake kubectl: unsupported ${argv.join(' ')}`)
  process.exit(2)
}
