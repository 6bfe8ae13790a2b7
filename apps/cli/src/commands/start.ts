import type { Command } from 'commander'
import { fileURLToPath } from 'node:url'
import { apiConfigVariables, describeVariables } from '@rere/api/config'

const WEB_DIST = fileURLToPath(new URL('../../../web/dist', import.meta.url))

/** `rere start`: the whole platform in one process (API + in-process solver + web app + PGlite). */
export function register(program: Command): void {
  program
    .command('start')
    .description(
      'run the whole platform in one process: API, in-process solver, web app and the embedded database (PGlite)',
    )
    .option('--port <port>', 'TCP port (PORT)', undefined)
    .option('--host <host>', 'bind address (HOST); local sign-on binds loopback only', undefined)
    .option('--data-dir <dir>', 'folder of the embedded database (DATA_DIR)', undefined)
    .addHelpText(
      'after',
      `\nDefaults: --port 8080 --host 127.0.0.1 --data-dir ./.rere. DATABASE_URL and SOLVER_URL are\nignored (rere start is the embedded mode; use rere api for the distributed one).\nThe other environment variables apply:\n${describeVariables(apiConfigVariables)}`,
    )
    .action(async (o: { port?: string; host?: string; dataDir?: string }) => {
      const { runApi } = await import('./api.ts')
      await runApi(
        'rere start',
        {
          PORT: o.port,
          HOST: o.host,
          DATA_DIR: o.dataDir,
          DATABASE_URL: '',
          DATABASE_DIRECT_URL: '',
          SOLVER_URL: '',
        },
        { webDist: WEB_DIST, alwaysMigrate: true },
      )
    })
}
