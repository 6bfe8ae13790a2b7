import { readFileSync } from 'node:fs'
import os from 'node:os'

/**
 * CPUs this process may use: the cgroup CPU quota when one is set (a container's
 * `resources.limits.cpu`), else the CPU count. cgroup v2 `cpu.max` ("200000 100000" -> 2,
 * "max 100000" -> no quota) or v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`.
 * The quota is rounded up (1.5 CPUs -> 2 workers) and never below 1.
 */
export function cpuQuotaFromCgroup(files: {
  cpuMax?: string | null
  cfsQuota?: string | null
  cfsPeriod?: string | null
}): number | null {
  if (files.cpuMax) {
    const [quota, period] = files.cpuMax.trim().split(/\s+/)
    if (quota && quota !== 'max') {
      const q = Number(quota)
      const p = Number(period ?? 100000)
      if (q > 0 && p > 0) return Math.max(1, Math.ceil(q / p))
    }
    return null
  }
  if (files.cfsQuota && files.cfsPeriod) {
    const q = Number(files.cfsQuota.trim())
    const p = Number(files.cfsPeriod.trim())
    if (q > 0 && p > 0) return Math.max(1, Math.ceil(q / p))
  }
  return null
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/** Default worker count: cgroup quota, else `os.availableParallelism()`. */
export function defaultWorkerCount(): number {
  const quota = cpuQuotaFromCgroup({
    cpuMax: readOrNull('/sys/fs/cgroup/cpu.max'),
    cfsQuota: readOrNull('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'),
    cfsPeriod: readOrNull('/sys/fs/cgroup/cpu/cpu.cfs_period_us'),
  })
  const cpus = os.availableParallelism()
  return quota === null ? cpus : Math.min(quota, cpus)
}
