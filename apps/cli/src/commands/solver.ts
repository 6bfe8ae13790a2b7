import type { Command } from 'commander'
import { solverConfigVariables } from '@rere/solver-service/config'

/** `rere solver`: the stateless solver service, configured by environment variables. */
export function register(program: Command): void {
  program
    .command('solver')
    .description(
      'run the solver service (POST /solve, /build_state, /analyze; GET /catalogue, /envelope, /healthz, /readyz, /metrics)',
    )
    .addHelpText('after', () => envHelp(solverConfigVariables))
    .action(async () => {
      const { loadSolverConfig, startSolverService, ConfigError } =
        await import('@rere/solver-service')
      let config
      try {
        config = loadSolverConfig(process.env)
      } catch (e) {
        if (e instanceof ConfigError) {
          console.error(`rere solver: ${e.message}`)
          process.exit(2)
        }
        throw e
      }
      const service = await startSolverService(config)
      const stop = async (signal: string) => {
        service.app.log.info({ signal }, 'shutting down: draining in-flight solves')
        const drained = await service.shutdown()
        if (!drained) service.app.log.warn('grace period over before every solve finished')
        process.exit(drained ? 0 : 1)
      }
      process.once('SIGTERM', () => void stop('SIGTERM'))
      process.once('SIGINT', () => void stop('SIGINT'))
    })
}

export function envHelp(vars: { name: string; description: string; default: string }[]): string {
  const w = Math.max(...vars.map((v) => v.name.length))
  return (
    '\nEnvironment variables:\n' +
    vars.map((v) => `  ${v.name.padEnd(w)}  ${v.description} (default: ${v.default})`).join('\n')
  )
}
