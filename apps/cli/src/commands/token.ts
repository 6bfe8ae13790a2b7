import type { Command } from 'commander'

// Placeholder until the owning issue lands; replaced by the real command.
export function register(program: Command): void {
  program
    .command('token')
    .description('(not yet available)')
    .allowUnknownOption()
    .action(() => {
      console.error('rere token: not yet available in this build')
      process.exitCode = 2
    })
}
