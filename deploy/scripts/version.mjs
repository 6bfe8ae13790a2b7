#!/usr/bin/env node
// The semantic version of the checked-out commit, for image tags (release.yml):
//   tagged vX.Y.Z          -> X.Y.Z
//   N commits after vX.Y.Z -> X.Y.(Z+1)-dev.N.<short sha>   (a valid semver pre-release and
//                              a valid image tag: no "+", which image tags do not allow)
//   no tag yet             -> 0.1.0-dev.<commit count>.<short sha>
// Usage: node deploy/scripts/version.mjs [DESCRIBE]   (DESCRIBE: `git describe --long` output, for tests)
import { execFileSync } from 'node:child_process'

export function versionFrom(describe, commitCount, sha) {
  const m = /^v(\d+)\.(\d+)\.(\d+)-(\d+)-g([0-9a-f]+)$/.exec(describe ?? '')
  if (!m) return `0.1.0-dev.${commitCount}.${sha}`
  const [, major, minor, patch, distance, short] = m
  if (distance === '0') return `${major}.${minor}.${patch}`
  return `${major}.${minor}.${Number(patch) + 1}-dev.${distance}.${short}`
}

function git(...args) {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return undefined
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const describe =
    process.argv[2] ?? git('describe', '--tags', '--long', '--match', 'v[0-9]*.[0-9]*.[0-9]*')
  const count = git('rev-list', '--count', 'HEAD') ?? '0'
  const sha = git('rev-parse', '--short=7', 'HEAD') ?? 'unknown'
  process.stdout.write(versionFrom(describe, count, sha) + '\n')
}
