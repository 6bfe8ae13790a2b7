/**
 * `rere`: the command line of the platform. Each subcommand lives in ./commands/<name>.ts and
 * exports `register(program)`. `rere --help` lists them all; each has `--help`.
 */
import { Command } from 'commander'
import { commands } from './commands/index.ts'

const program = new Command()
program
  .name('rere')
  .description('Rere: cloud-native steady-state process simulation (IAPWS-95 water and steam)')
  .version('0.1.0')
  .showHelpAfterError()

for (const register of commands) register(program)

try {
  await program.parseAsync(process.argv)
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e))
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1)
}
