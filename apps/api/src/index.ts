// The public surface of @rere/api (used by the CLI: rere start | api | migrate | backup | restore).
export { buildApp, API_VERSION, type BuildAppOptions } from './app.ts'
export * from './config.ts'
export { startServer, holdDataDir, dataDirHolder, type RunningServer } from './server.ts'
export { openDatabase, type Database } from './db/index.ts'
export { createHttpSolver } from './solver/http-solver.ts'
export { requireUser, type AuthUser } from './auth/auth.plugin.ts'
