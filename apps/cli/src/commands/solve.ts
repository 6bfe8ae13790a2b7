import type { Command } from 'commander'
import { readFileSync } from 'node:fs'

/**
 * `rere solve FILE`: solve a solver document (Ahuora FlowsheetSchema) offline, in this process.
 * Prints the completion payload (a table, or JSON with --json).
 * Exit codes: 0 solved, 1 the solver could not solve it (DOF, structure, no convergence), 2 bad input.
 */
export function register(program: Command): void {
  program
    .command('solve')
    .description(
      'solve a flowsheet document (Ahuora FlowsheetSchema JSON) offline and print the completion payload',
    )
    .argument('<file>', "the document ('-' reads standard input)")
    .option('--json', 'print the completion payload as JSON')
    .option('--full-state', "include every port's full state and every unit's results")
    .addHelpText(
      'after',
      '\nExit codes: 0 solved, 1 solver failure (DOF, structure, no convergence), 2 bad input.',
    )
    .action(async (file: string, opts: { json?: boolean; fullState?: boolean }) => {
      let doc: unknown
      try {
        doc = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'))
      } catch (e) {
        console.error(
          `rere solve: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
        )
        process.exit(2)
      }
      const { solveDocument } = await import('@rere/flowsheet')
      const { isAppError } = await import('@rere/contract')
      let result
      try {
        result = solveDocument(doc, { fullState: opts.fullState ?? false })
      } catch (e) {
        if (isAppError(e) && e.statusCode < 500) {
          const body = e.toBody()
          if (opts.json) console.log(JSON.stringify(body))
          else
            console.error(
              `rere solve: ${body.code}: ${body.message}${body.details.path ? ` (at ${String(body.details.path)})` : ''}`,
            )
          process.exit(2)
        }
        throw e
      }
      if (opts.json) console.log(JSON.stringify(result, null, 2))
      else printTable(result)
      process.exit(result.status === 'success' ? 0 : 1)
    })
}

type Reply = import('@rere/contract').SolveReply

function fmt(v: unknown): string {
  const x = Array.isArray(v) ? v[0] : v
  if (typeof x !== 'number') return String(x)
  return Math.abs(x) >= 1e6 || (Math.abs(x) < 1e-3 && x !== 0)
    ? x.toExponential(6)
    : x.toPrecision(8)
}

function printTable(r: Reply): void {
  console.log(`status: ${r.status}${r.error ? `  ${r.error.code}: ${r.error.message}` : ''}`)
  console.log(`time: ${r.timing.totalMs.toFixed(3)} ms`)
  const rows = r.flowsheet.properties.map((p) => [String(p.id), p.name, fmt(p.value), p.unit])
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i].length), 2))
  for (const row of rows)
    console.log(
      `${row[0].padStart(w[0])}  ${row[1].padEnd(w[1])}  ${row[2].padStart(w[2])}  ${row[3]}`,
    )
  for (const p of r.ports ?? [])
    console.log(
      `port ${p.unitName}.${p.port}: T=${p.temperature.toFixed(4)} K P=${p.pressure.toFixed(1)} Pa F=${fmt(p.flowMol)} mol/s h=${fmt(p.enthMol)} J/mol x=${p.vaporFrac === null ? 'null' : fmt(p.vaporFrac)} ${p.phase}`,
    )
  for (const u of r.unitResults ?? [])
    console.log(
      `unit ${u.name}: ${Object.entries(u.values)
        .map(([k, v]) => `${k}=${fmt(v)} ${u.units[k] ?? ''}`)
        .join('  ')}`,
    )
}
