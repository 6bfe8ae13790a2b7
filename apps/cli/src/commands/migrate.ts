import type { Command } from 'commander'
import { apiConfigVariables, describeVariables } from '@rere/api/config'

/** `rere migrate`: apply the database migrations (over DATABASE_DIRECT_URL when set). */
export function register(program: Command): void {
  program
    .command('migrate')
    .description(
      'apply pending database migrations (PostgreSQL over DATABASE_DIRECT_URL, else DATABASE_URL; no DATABASE_URL: the embedded database in DATA_DIR)',
    )
    .option('--status', 'only list the pending migrations (exit 1 when some are pending)')
    .option('--data-dir <dir>', 'embedded database folder (DATA_DIR)')
    .addHelpText(
      'after',
      `\nUses DATABASE_URL, DATABASE_DIRECT_URL and DATA_DIR (see rere api --help):\n${describeVariables(apiConfigVariables.filter((v) => v.name.startsWith('DATA')))}`,
    )
    .action(async (o: { status?: boolean; dataDir?: string }) => {
      const { loadConfigOrExit } = await import('./api.ts')
      const config = await loadConfigOrExit('rere migrate', { DATA_DIR: o.dataDir })
      const { openDatabase, dataDirHolder } = await import('@rere/api')
      if (!config.databaseUrl) {
        const pid = dataDirHolder(config.dataDir)
        if (pid !== null) {
          console.error(
            `rere migrate: ${config.dataDir} is in use by process ${pid}; a running rere start migrates at start`,
          )
          process.exit(1)
        }
      }
      const database = await openDatabase({
        databaseUrl: config.databaseUrl,
        directUrl: config.databaseDirectUrl,
        dataDir: config.databaseUrl ? undefined : config.dataDir,
        poolMax: 1,
      })
      let code = 0
      try {
        if (o.status) {
          const pending = await database.pendingMigrations()
          console.log(JSON.stringify({ pending }))
          code = pending.length ? 1 : 0
        } else {
          const applied = await database.migrate()
          console.log(JSON.stringify({ applied }))
        }
      } finally {
        await database.close()
      }
      // explicit: PGlite's runtime resets process.exitCode when it closes
      process.exit(code)
    })
}
