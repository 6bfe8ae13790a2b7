export { createInProcessSolver, type InProcessSolver, type PoolStats } from './pool.ts'
export { buildSolverApp, type SolverApp, type SolverAppOptions } from './app.ts'
export { startSolverService, type RunningSolverService } from './server.ts'
export {
  loadSolverConfig,
  solverConfigVariables,
  ConfigError,
  type SolverConfig,
} from './config.ts'
export { defaultWorkerCount, cpuQuotaFromCgroup } from './cpus.ts'
export { warmUpDocument } from './warmup-doc.ts'
export { SOLVER_SERVICE_VERSION } from './version.ts'
