/**
 * Images, GitOps and release: Dockerfiles (non-root, pinned bases, lockfile install, tini,
 * HEALTHCHECK, sources that exist), GitHub Actions workflows against GitHub's own workflow
 * parser and schema (@actions/workflow-parser), renovate.json against Renovate's schema
 * (vendored, see schemas/README.md) with patterns that match the files, Argo CD Applications,
 * and the release scripts (version, image tag update) run for real.
 */
import { execFile } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { validateK8s } from './lib/k8s-schema.ts'
import { effective, last, parseDockerfile } from './lib/dockerfile.ts'
import { find, kustomize, podSpec, readYaml, repoRoot, type Obj } from './lib/render.ts'

const run = promisify(execFile)
const dockerDir = join(repoRoot, 'deploy', 'docker')
const read = (p: string) => readFileSync(join(repoRoot, p), 'utf8')

/** [Dockerfile, target stage, the k8s Deployment that runs it, its port] */
const images: [string, string, string, number][] = [
  ['node-app.Dockerfile', 'api', 'api', 8080],
  ['node-app.Dockerfile', 'solver', 'solver', 8081],
  ['web.Dockerfile', 'web', 'web', 8080],
  ['pgbouncer.Dockerfile', 'pgbouncer', 'pgbouncer', 6432],
]

function workspaceDirs(): string[] {
  const globs: string[] = JSON.parse(read('package.json')).workspaces
  const out: string[] = []
  for (const g of globs) {
    if (g.endsWith('/*')) {
      const base = g.slice(0, -2)
      for (const d of readdirSync(join(repoRoot, base)))
        if (existsSync(join(repoRoot, base, d, 'package.json'))) out.push(`${base}/${d}`)
    } else out.push(g)
  }
  return out
}

describe('Dockerfiles', () => {
  const k8s = kustomize('overlays/generic')

  for (const [file, target, deployment, port] of images) {
    it(`${file} --target ${target}`, () => {
      const stages = parseDockerfile(readFileSync(join(dockerDir, file), 'utf8'))
      const names = new Set(stages.map((s) => s.name))
      // every external base pinned to an exact version (Renovate adds digests)
      for (const s of stages) {
        if (names.has(s.base)) continue
        expect(s.base, file).toMatch(
          /^[\w./-]+:v?\d+(\.\d+)+[\w.-]*(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/,
        )
      }
      const ins = effective(stages, target)
      const user = last(ins, 'USER')
      expect(user, `${target}: USER`).toBeDefined()
      expect(user!.split(':')[0]).toMatch(/^[1-9]\d*$/)
      expect(last(ins, 'HEALTHCHECK'), `${target}: HEALTHCHECK`).toMatch(/^--interval=\S+ .*CMD \[/)
      expect(ins.map((i) => i.cmd)).toContain('EXPOSE')
      expect(last(ins, 'EXPOSE')).toBe(String(port))
      // the Deployment runs the image as the same user and on the same port
      const w = find(k8s, 'Deployment', deployment)!
      const c = podSpec(w).containers[0]
      expect(String(c.securityContext.runAsUser ?? podSpec(w).securityContext.runAsUser)).toBe(
        user!.split(':')[0],
      )
      expect(c.ports[0].containerPort).toBe(port)
      // COPY sources exist in the build context (the repository root)
      for (const s of stages)
        for (const i of s.instructions.filter(
          (x) => x.cmd === 'COPY' && !x.args.startsWith('--from'),
        )) {
          const parts = i.args.split(/\s+/)
          for (const src of parts.slice(0, -1))
            expect(existsSync(join(repoRoot, src)), `${file}: COPY ${src}`).toBe(true)
        }
      if (file !== 'pgbouncer.Dockerfile') {
        // npm ci with the lockfile, after every workspace's package.json (else npm ci fails)
        const all = stages.flatMap((s) => s.instructions)
        const ci = all.findIndex((i) => i.cmd === 'RUN' && /\bnpm ci\b/.test(i.args))
        expect(ci, `${file}: npm ci`).toBeGreaterThanOrEqual(0)
        expect(all.some((i) => i.cmd === 'RUN' && /\bnpm (install|i)\b/.test(i.args))).toBe(false)
        const copied = all
          .slice(0, ci)
          .filter((i) => i.cmd === 'COPY')
          .map((i) => i.args)
        expect(
          copied.some((a) => a.includes('package-lock.json')),
          `${file}: lockfile`,
        ).toBe(true)
        for (const ws of workspaceDirs())
          expect(
            copied.some((a) => a.startsWith(`${ws}/package.json`)),
            `${file}: ${ws}/package.json`,
          ).toBe(true)
      }
      if (target !== 'web') {
        // tini as PID 1 forwards SIGTERM (graceful drain) and reaps children
        expect(last(ins, 'ENTRYPOINT')).toMatch(/^\["\/usr\/bin\/tini", "--"/)
        expect(ins.some((i) => i.cmd === 'RUN' && /install .*\btini\b/.test(i.args))).toBe(true)
      }
    })
  }

  it('node images run the rere launcher with the command the manifests pass', () => {
    const stages = parseDockerfile(readFileSync(join(dockerDir, 'node-app.Dockerfile'), 'utf8'))
    expect(last(effective(stages, 'api'), 'ENTRYPOINT')).toContain(
      '"node", "apps/cli/bin/rere.mjs"',
    )
    expect(last(effective(stages, 'api'), 'CMD')).toBe('["api"]')
    expect(last(effective(stages, 'solver'), 'CMD')).toBe('["solver"]')
    // the runtime image needs tsx at run time: a production dependency of the CLI
    expect(JSON.parse(read('apps/cli/package.json')).dependencies.tsx).toBeDefined()
    expect(read('apps/cli/bin/rere.mjs')).toMatch(/from 'tsx\/esm\/api'/)
  })

  it('.dockerignore keeps secrets, node_modules and git out but not the sources the images copy', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
    for (const p of ['**/node_modules', '.git', '**/.env', '**/*.env']) expect(ignore).toContain(p)
    for (const p of ['packages', 'apps', 'tools']) expect(ignore).not.toContain(p)
    expect(ignore).toContain('!deploy/docker/nginx')
  })

  it('nginx serves fingerprinted assets immutable, the shell no-cache, and falls back to it', () => {
    const conf = read('deploy/docker/nginx/default.conf')
    expect(conf).toMatch(/location \/assets\/ \{[^}]*max-age=31536000, immutable/)
    expect(conf).toMatch(/location = \/index\.html \{[^}]*no-cache/)
    expect(conf).toMatch(/location \/ \{[^}]*try_files \$uri \$uri\/ \/index\.html;/)
    expect(conf).toMatch(/listen 8080;/)
  })
})

async function workflowErrors(files: string[]): Promise<Record<string, string[]>> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'deploy/tests/lib/workflow-check.ts'), ...files],
    { cwd: repoRoot },
  )
  return JSON.parse(stdout)
}

describe('GitHub Actions', { timeout: 120_000 }, () => {
  const files = readdirSync(join(repoRoot, '.github/workflows')).map(
    (f) => `.github/workflows/${f}`,
  )

  it('every workflow passes GitHub’s workflow parser and schema', async () => {
    expect(files.length).toBeGreaterThanOrEqual(3)
    const errors = await workflowErrors(files)
    for (const f of files) expect(errors[f], f).toEqual([])
  })

  it('the parser does reject a broken workflow', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'rere-wf-')), 'bad.yml')
    writeFileSync(bad, 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n')
    const errors = await workflowErrors([bad])
    expect(errors[bad].join('\n')).toMatch(/stepz/)
  })

  it('tests run .ci/run on every push', () => {
    const t = parse(read('.github/workflows/test.yml'))
    expect(Object.keys(t.on)).toEqual(
      expect.arrayContaining(['push', 'pull_request', 'workflow_call']),
    )
    expect(t.jobs.ci.steps.at(-1).run).toBe('bash .ci/run')
  })

  it('the image workflow is reusable, multi-arch on native runners, pushes by digest and merges', () => {
    const w = parse(read('.github/workflows/image.yml'))
    expect(w.on.workflow_call.inputs.component.required).toBe(true)
    const platforms = w.jobs.build.strategy.matrix.include.map((i: Obj) => i.platform)
    expect(platforms.sort()).toEqual(['linux/amd64', 'linux/arm64'])
    expect(
      w.jobs.build.strategy.matrix.include.find((i: Obj) => i.platform === 'linux/arm64').runner,
    ).toMatch(/arm/)
    const build = w.jobs.build.steps.find((s: Obj) => s.id === 'build')
    expect(build.with.outputs).toMatch(/push-by-digest=true/)
    expect(w.jobs.merge.steps.map((s: Obj) => s.run ?? '').join('\n')).toMatch(/imagetools create/)
    expect(w.jobs.build.concurrency.group).toContain('inputs.component')
    expect(w.jobs.merge.concurrency.group).toContain('inputs.component')
  })

  it('the release builds every image from a Dockerfile target that exists, then updates the tags', () => {
    const r = parse(read('.github/workflows/release.yml'))
    expect(r.concurrency.group).toBeDefined()
    const base = parse(read('deploy/k8s/base/kustomization.yaml'))
    const names = base.images.map((i: Obj) => i.name).sort()
    const called = Object.entries<Obj>(r.jobs).filter(
      ([, j]) => j.uses === './.github/workflows/image.yml',
    )
    expect(called.map(([, j]) => `rere-${j.with.component}`).sort()).toEqual(names)
    for (const [, j] of called) {
      const stages = parseDockerfile(read(j.with.dockerfile))
      if (j.with.target) expect(stages.some((s) => s.name === j.with.target)).toBe(true)
    }
    const update = r.jobs['update-tags'].steps.map((s: Obj) => s.run ?? '').join('\n')
    for (const n of names) expect(update).toContain(`'${n}=`)
    expect(r.jobs['update-tags'].needs).toEqual(expect.arrayContaining(called.map(([k]) => k)))
  })
})

describe('release scripts', { timeout: 120_000 }, () => {
  it('version.mjs: semantic version from git describe', async () => {
    const v = async (d: string) =>
      (await run(process.execPath, [join(repoRoot, 'deploy/scripts/version.mjs'), d])).stdout.trim()
    expect(await v('v1.2.3-0-gabcdef0')).toBe('1.2.3')
    expect(await v('v1.2.3-4-gabcdef0')).toBe('1.2.4-dev.4.abcdef0')
    expect(await v('')).toMatch(/^0\.1\.0-dev\.\d+\.[0-9a-f]+$/)
    // an image tag: [\w][\w.-]{0,127}
    expect(await v('v1.2.3-4-gabcdef0')).toMatch(/^[\w][\w.-]{0,127}$/)
  })

  it('set-images.mjs updates the kustomize base; the overlays render the pinned images', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rere-k8s-'))
    cpSync(join(repoRoot, 'deploy/k8s'), tmp, { recursive: true })
    const digest = 'sha256:' + 'a'.repeat(64)
    const kfile = join(tmp, 'base', 'kustomization.yaml')
    await run(
      process.execPath,
      [
        join(repoRoot, 'deploy/scripts/set-images.mjs'),
        `rere-api=ghcr.io/acme/rere-api:1.2.3@${digest}`,
      ],
      {
        env: { ...process.env, KUSTOMIZATION: kfile },
      },
    )
    const text = readFileSync(kfile, 'utf8')
    expect(text).toContain('# Rere platform, cluster-agnostic part.') // comments kept
    const objs = kustomize(join(tmp, 'overlays', 'generic'))
    const api = podSpec(find(objs, 'Deployment', 'api')!).containers[0]
    expect(api.image).toBe(`ghcr.io/acme/rere-api:1.2.3@${digest}`)
    await expect(
      run(
        process.execPath,
        [join(repoRoot, 'deploy/scripts/set-images.mjs'), 'rere-nope=ghcr.io/a/b:1.0.0'],
        {
          env: { ...process.env, KUSTOMIZATION: kfile },
        },
      ),
    ).rejects.toThrow(/not in the kustomization/)
  })
})

describe('Renovate', () => {
  const config = JSON.parse(read('renovate.json'))

  it('renovate.json validates against Renovate’s schema', () => {
    const schema = JSON.parse(
      gunzipSync(
        readFileSync(join(repoRoot, 'deploy/tests/schemas/renovate-schema.json.gz')),
      ).toString(),
    )
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
    const validate = ajv.compile(schema)
    expect(validate(config), ajv.errorsText(validate.errors)).toBe(true)
    expect(validate({ ...config, automerge: 'yes' })).toBe(false)
    expect(validate({ ...config, schedule: 5 })).toBe(false)
  })

  it('managerFilePatterns match the files they are for; image updates automerge', () => {
    const re = (p: string) => new RegExp(p.slice(1, -1))
    const matches = (manager: string, file: string) =>
      (config[manager].managerFilePatterns as string[]).some((p) => re(p).test(file))
    expect(matches('kubernetes', 'deploy/k8s/base/api.yaml')).toBe(true)
    expect(matches('kubernetes', 'deploy/k8s/components/edge/oauth2-proxy.yaml')).toBe(true)
    expect(matches('kustomize', 'deploy/k8s/base/kustomization.yaml')).toBe(true)
    for (const f of readdirSync(dockerDir).filter((f) => f.endsWith('.Dockerfile')))
      expect(matches('dockerfile', `deploy/docker/${f}`), f).toBe(true)
    expect(matches('docker-compose', 'deploy/compose/compose.yaml')).toBe(true)
    expect(matches('argocd', 'deploy/argocd/monitoring.yaml')).toBe(true)
    const k3s = config.customManagers[0]
    const vars = read('deploy/ansible/inventory/group_vars/all.yml')
    expect(re(k3s.managerFilePatterns[0]).test('deploy/ansible/inventory/group_vars/all.yml')).toBe(
      true,
    )
    expect(new RegExp(k3s.matchStrings[0]).exec(vars)?.groups?.currentValue).toMatch(
      /^v1\.\d+\.\d+\+k3s\d+$/,
    )
    const auto = config.packageRules.find((r: Obj) => r.automerge === true)
    expect(auto.matchDatasources).toEqual(['docker'])
  })
})

describe('Argo CD', () => {
  const apps = readdirSync(join(repoRoot, 'deploy/argocd')).flatMap((f) =>
    readYaml(join(repoRoot, 'deploy/argocd', f)),
  )

  it('Applications and the project validate against the Argo CD CRD schemas', () => {
    expect(apps.map((a) => a.kind).sort()).toEqual(['AppProject', 'Application', 'Application'])
    for (const a of apps) expect(() => validateK8s(a)).not.toThrow()
  })

  it('sync automatically with prune and self-heal', () => {
    for (const a of apps.filter((x) => x.kind === 'Application')) {
      expect(a.spec.syncPolicy.automated, a.metadata.name).toEqual({ prune: true, selfHeal: true })
      expect(a.spec.project).toBe('rere')
    }
  })

  it('the platform app renders, ignores HPA-managed replicas and generated Secrets’ data', () => {
    const app = apps.find((a) => a.metadata.name === 'rere-platform')!
    const objs = kustomize(join(repoRoot, app.spec.source.path))
    const hpaTargets = objs
      .filter((o) => o.kind === 'HorizontalPodAutoscaler')
      .map((h) => h.spec.scaleTargetRef.name)
    const ignored = (kind: string) =>
      app.spec.ignoreDifferences
        .filter((d: Obj) => d.kind === kind)
        .map((d: Obj) => d.name)
        .sort()
    expect(ignored('Deployment')).toEqual(hpaTargets.sort())
    for (const d of app.spec.ignoreDifferences.filter((x: Obj) => x.kind === 'Deployment'))
      expect(d.jsonPointers).toEqual(['/spec/replicas'])
    const generated = objs
      .filter((o) => o.kind === 'Secret' && o.metadata.labels?.['rere.io/secret'] === 'generated')
      .map((o) => o.metadata.name)
      .sort()
    expect(ignored('Secret')).toEqual(generated)
    expect(app.spec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true')
    // every destination namespace is allowed by the project
    const project = apps.find((a) => a.kind === 'AppProject')!
    for (const a of apps.filter((x) => x.kind === 'Application'))
      expect(project.spec.destinations.map((d: Obj) => d.namespace)).toContain(
        a.spec.destination.namespace,
      )
  })

  it('the monitoring app takes its values files from this repository', () => {
    const app = apps.find((a) => a.metadata.name === 'rere-monitoring')!
    for (const s of app.spec.sources.filter((x: Obj) => x.helm))
      for (const v of s.helm.valueFiles)
        expect(existsSync(join(repoRoot, v.replace('$values/', ''))), v).toBe(true)
  })
})

describe('runtime image contents', () => {
  it('every package the programs import at run time is a production dependency (npm ci --omit=dev)', () => {
    const roots = [
      'apps/api/src',
      'apps/solver-service/src',
      'apps/cli/src',
      'apps/cli/bin',
      'tools/loadtest/src',
    ]
    for (const d of readdirSync(join(repoRoot, 'packages'))) roots.push(`packages/${d}/src`)
    const prod = new Set<string>()
    for (const ws of workspaceDirs()) {
      if (ws === 'apps/web' || ws === 'e2e') continue
      for (const dep of Object.keys(JSON.parse(read(`${ws}/package.json`)).dependencies ?? {}))
        prod.add(dep)
    }
    const missing = new Set<string>()
    let files = 0
    const walk = (rel: string) => {
      const abs = join(repoRoot, rel)
      if (!existsSync(abs)) return
      for (const e of readdirSync(abs, { withFileTypes: true })) {
        const r = `${rel}/${e.name}`
        if (e.isDirectory()) {
          if (!['node_modules', 'test', 'bench', '__tests__'].includes(e.name)) walk(r)
        } else if (
          /\.(ts|mts|mjs|js)$/.test(e.name) &&
          !/\.(test|int\.test|e2e\.test)\.ts$/.test(e.name)
        ) {
          files++
          const text = readFileSync(join(repoRoot, r), 'utf8')
          for (const m of text.matchAll(
            /^\s*(?:import|export)\s[^'"]*?from\s+'([^'.][^']*)'|import\('([^'.][^']*)'\)/gm,
          )) {
            const spec = m[1] ?? m[2]
            if (spec.startsWith('node:') || spec.startsWith('@rere/')) continue
            // k6/*: modules of the k6 runtime inside generated k6 scripts (template text);
            // prettier: dynamically imported only when `rere loadtest` writes a k6 script
            if (spec.startsWith('k6') || (spec === 'prettier' && m[2])) continue
            if (/^import\s+type\s/.test(m[0].trim())) continue
            const name = spec.startsWith('@')
              ? spec.split('/').slice(0, 2).join('/')
              : spec.split('/')[0]
            if (!prod.has(name)) missing.add(`${name} (${r})`)
          }
        }
      }
    }
    for (const r of roots) walk(r)
    expect(files).toBeGreaterThan(20)
    expect([...missing]).toEqual([])
  })
})
