import type { Command } from 'commander'
import { resolve } from 'node:path'

async function embedded(cmd: string, dataDir: string | undefined) {
  const { loadConfigOrExit } = await import('./api.ts')
  const config = await loadConfigOrExit(cmd, { DATA_DIR: dataDir })
  const { dataDirHolder } = await import('@rere/api')
  const pid = dataDirHolder(config.dataDir)
  if (pid !== null) {
    console.error(
      `${cmd}: ${resolve(config.dataDir)} is in use by process ${pid} (rere start); stop it first`,
    )
    process.exit(1)
  }
  return config.dataDir
}

/** `rere backup FILE` / `rere restore FILE`: the embedded database (PGlite) to/from one file. */
export function register(program: Command): void {
  program
    .command('backup')
    .description(
      'write the embedded database (DATA_DIR) to FILE (tar.gz); refuses while rere start runs',
    )
    .argument('<file>', 'backup file to write')
    .option('--data-dir <dir>', 'embedded database folder (DATA_DIR, default ./.rere)')
    .addHelpText('after', '\nPostgreSQL deployments use pg_dump instead (docs/operations.md).')
    .action(async (file: string, o: { dataDir?: string }) => {
      const dir = await embedded('rere backup', o.dataDir)
      const { openDatabase } = await import('@rere/api')
      const database = await openDatabase({ dataDir: dir })
      try {
        const pending = await database.pendingMigrations()
        await database.dumpTo!(resolve(file))
        console.log(
          JSON.stringify({
            file: resolve(file),
            dataDir: resolve(dir),
            pendingMigrations: pending,
          }),
        )
      } finally {
        await database.close()
      }
    })
  program
    .command('restore')
    .description(
      'replace the embedded database (DATA_DIR) with the backup in FILE; refuses while rere start runs',
    )
    .argument('<file>', 'backup file written by rere backup')
    .option('--data-dir <dir>', 'embedded database folder (DATA_DIR, default ./.rere)')
    .action(async (file: string, o: { dataDir?: string }) => {
      const dir = await embedded('rere restore', o.dataDir)
      const { existsSync } = await import('node:fs')
      if (!existsSync(file)) {
        console.error(`rere restore: ${file} does not exist`)
        process.exit(2)
      }
      const { openDatabase } = await import('@rere/api')
      const database = await openDatabase({ dataDir: dir })
      await database.loadFrom!(resolve(file))
      const check = await openDatabase({ dataDir: dir })
      try {
        await check.ping()
        const pending = await check.pendingMigrations()
        console.log(
          JSON.stringify({
            restored: resolve(file),
            dataDir: resolve(dir),
            pendingMigrations: pending,
          }),
        )
      } finally {
        await check.close()
      }
    })
}
