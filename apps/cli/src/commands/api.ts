import type { Command } from 'commander'
import { apiConfigVariables, describeVariables } from '@rere/api/config'

/** Load the API config or exit 2 printing NAME=value: reason for each bad variable. */
export async function loadConfigOrExit(
  cmd: string,
  overrides: Record<string, string | undefined> = {},
) {
  const { loadApiConfig, ConfigError } = await import('@rere/api/config')
  try {
    return loadApiConfig(process.env, overrides)
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`${cmd}: ${e.message}`)
      process.exit(2)
    }
    throw e
  }
}

/** Start the API (shared by `rere api` and `rere start`). */
export async function runApi(
  cmd: string,
  overrides: Record<string, string | undefined>,
  opts: { webDist?: string; alwaysMigrate?: boolean } = {},
): Promise<void> {
  const config = await loadConfigOrExit(cmd, overrides)
  const { openDatabase, startServer, holdDataDir, createHttpSolver } = await import('@rere/api')
  const embedded = !config.databaseUrl
  let release: (() => void) | undefined
  if (embedded) {
    try {
      release = holdDataDir(config.dataDir)
    } catch (e) {
      console.error(`${cmd}: ${(e as Error).message}`)
      process.exit(1)
    }
  }
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    directUrl: config.databaseDirectUrl,
    dataDir: embedded ? config.dataDir : undefined,
    poolMax: config.databasePoolMax,
  })
  if (opts.alwaysMigrate || embedded || config.migrateOnStart) {
    const applied = await database.migrate()
    if (applied.length) console.error(`${cmd}: applied migrations ${applied.join(', ')}`)
  }
  let solver
  if (config.solverUrl)
    solver = createHttpSolver({ url: config.solverUrl, timeoutMs: config.solverTimeoutMs })
  else {
    const { createInProcessSolver } = await import('@rere/solver-service')
    solver = createInProcessSolver({
      workers: config.solverWorkers,
      timeoutMs: config.solverTimeoutMs,
      inlineMaxMs: config.solverInlineMaxMs,
    })
  }
  const server = await startServer({
    config,
    database,
    solver,
    webDist: opts.webDist,
    onClosed: () => release?.(),
  })
  console.error(`${cmd}: serving on ${server.url}`)
}

/** `rere api`: the HTTP API, configured by environment variables. */
export function register(program: Command): void {
  program
    .command('api')
    .description(
      'run the HTTP API (configured by environment variables; SOLVER_URL set: the solver service over HTTP, else in-process)',
    )
    .addHelpText('after', `\nEnvironment variables:\n${describeVariables(apiConfigVariables)}`)
    .action(async () => {
      await runApi('rere api', {})
    })
}
