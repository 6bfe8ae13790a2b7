import type { Command } from 'commander'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'

/**
 * `rere props`: water and steam properties from the IAPWS-95 (`helmholtz`) or IAPWS-IF97
 * (`if97`) property package.
 *  - `rere props [--package P] KEY=VALUE...` prints a table (unit suffixes accepted: 80degC,
 *    1bar, 2675kJ/kg ...); with --json one JSON line.
 *  - JSON lines in, JSON lines out when standard input is not a terminal (or with --json and no
 *    KEY=VALUE): one object per line with `package`, optional `compound`, and a pair of
 *    T [K], P [Pa], h [J/mol], s [J/mol/K], u [J/mol], rho [kg/m3], x [-]. A bad line gives
 *    {"error":{"code","message"}} and the batch goes on.
 * Exit codes: 0 ok, 2 bad usage (bad KEY=VALUE input, no input).
 */

export const OUTPUT_FIELDS = [
  'T',
  'P',
  'rho',
  'h',
  's',
  'u',
  'cp',
  'cv',
  'w',
  'x',
  'phase',
  'hMass',
  'sMass',
] as const

const UNITS: Record<string, string> = {
  T: 'K',
  P: 'Pa',
  rho: 'kg/m3',
  h: 'J/mol',
  s: 'J/mol/K',
  u: 'J/mol',
  cp: 'J/mol/K',
  cv: 'J/mol/K',
  w: 'm/s',
  x: '-',
  phase: '',
  hMass: 'J/kg',
  sMass: 'J/kg/K',
}

type Thermo = typeof import('@rere/thermo')
type Row = Record<(typeof OUTPUT_FIELDS)[number], number | string | null>

interface ErrorLike {
  code: string
  message: string
}

function toError(e: unknown): ErrorLike {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as ErrorLike).code === 'string')
    return { code: (e as ErrorLike).code, message: String((e as { message?: unknown }).message) }
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) }
}

function rowOf(s: import('@rere/thermo').ThermoState): Row {
  const r = {} as Row
  for (const k of OUTPUT_FIELDS) r[k] = s[k]
  return r
}

/**
 * Evaluate one JSON-lines request object.
 * @returns the output row, or {error: {code, message}}
 */
export function evalRequest(
  thermo: Thermo,
  req: unknown,
  defaults: { package?: string; compound?: string } = {},
): Row | { error: ErrorLike } {
  try {
    if (!req || typeof req !== 'object' || Array.isArray(req))
      throw Object.assign(new Error('each line must be a JSON object'), {
        code: 'THERMO_BAD_INPUT',
      })
    const o = req as Record<string, unknown>
    const pkgName = o.package ?? defaults.package ?? 'helmholtz'
    const compound = o.compound ?? defaults.compound ?? 'water'
    const pkg = thermo.getPropertyPackage(String(pkgName), String(compound))
    const inputs: import('@rere/thermo').Inputs = {}
    for (const [k, v] of Object.entries(o)) {
      if (k === 'package' || k === 'compound') continue
      if (!(thermo.INPUT_KEYS as readonly string[]).includes(k))
        throw thermo.badInput(
          'key',
          k,
          `unknown key "${k}"; use package, compound, ${thermo.INPUT_KEYS.join(', ')}`,
        )
      const key = k as import('@rere/thermo').InputKey
      if (typeof v === 'number') inputs[key] = v
      else if (typeof v === 'string') inputs[key] = thermo.parseInput(k, v, pkg.molarMass)
      else throw thermo.badInput(k, v, `${k} must be a number (SI) or a string with a unit`)
      thermo.requireFinite(k, inputs[key] as number)
    }
    return rowOf(thermo.flashInputs(pkg, inputs))
  } catch (e) {
    return { error: toError(e) }
  }
}

/** JSON lines: one request per line in, one reply per line out; blank lines are skipped. */
export async function runJsonLines(
  input: Readable,
  out: Writable,
  defaults: { package?: string; compound?: string } = {},
): Promise<number> {
  const thermo = await import('@rere/thermo')
  const rl = createInterface({ input, crlfDelay: Infinity })
  for await (const line of rl) {
    if (line.trim() === '') continue
    let reply: Row | { error: ErrorLike }
    try {
      reply = evalRequest(thermo, JSON.parse(line), defaults)
    } catch (e) {
      reply = {
        error: { code: 'THERMO_BAD_INPUT', message: `not JSON: ${(e as Error).message}` },
      }
    }
    out.write(JSON.stringify(reply) + '\n')
  }
  return 0
}

function fmt(v: number | string | null): string {
  if (v === null) return '-'
  if (typeof v === 'string') return v
  return Number(v.toPrecision(10)).toString()
}

/** Table (or one JSON line) for KEY=VALUE arguments; returns the exit code. */
export async function runArgs(
  args: string[],
  opts: { package?: string; compound?: string; json?: boolean },
  out: Writable,
  err: Writable,
): Promise<number> {
  const thermo = await import('@rere/thermo')
  const req: Record<string, string> = {}
  if (opts.package) req.package = opts.package
  if (opts.compound) req.compound = opts.compound
  for (const a of args) {
    const i = a.indexOf('=')
    if (i <= 0) {
      err.write(`rere props: expected KEY=VALUE, got "${a}"\n`)
      return 2
    }
    req[a.slice(0, i).trim()] = a.slice(i + 1).trim()
  }
  const r = evalRequest(thermo, req)
  if ('error' in r) {
    if (opts.json) out.write(JSON.stringify(r) + '\n')
    err.write(`rere props: ${r.error.code}: ${r.error.message}\n`)
    return 2
  }
  if (opts.json) {
    out.write(JSON.stringify(r) + '\n')
    return 0
  }
  const pkg = thermo.getPropertyPackage(req.package ?? 'helmholtz', req.compound ?? 'water')
  out.write(`${pkg.version}, ${pkg.compound}\n`)
  for (const k of OUTPUT_FIELDS)
    out.write(`${k.padEnd(6)} ${fmt(r[k]).padStart(16)}  ${UNITS[k]}\n`)
  return 0
}

export function register(program: Command): void {
  program
    .command('props')
    .description(
      'water and steam properties (IAPWS-95 or IAPWS-IF97): a table from KEY=VALUE pairs, or JSON lines in/out',
    )
    .argument('[inputs...]', 'KEY=VALUE pairs, e.g. T=80degC P=1bar (keys: T, P, h, s, u, rho, x)')
    .option('--package <name>', 'property package: helmholtz (IAPWS-95) or if97', undefined)
    .option('--compound <name>', 'compound (water, h2o)', undefined)
    .option('--json', 'JSON output (and JSON lines from standard input when no KEY=VALUE is given)')
    .addHelpText(
      'after',
      `
Inputs are SI (T K, P Pa, h J/mol, s J/mol/K, u J/mol, rho kg/m3, x -); KEY=VALUE pairs accept unit
suffixes (80degC, 1bar, 2675kJ/kg, 7kJ/kg/K, 50%). Supported pairs: T,P  P,h  P,s  P,u  T,x  P,x  T,rho.
Output: T, P, rho, h, s, u, cp, cv, w, x, phase, hMass, sMass (SI; cp, cv, w null in the dome).

Examples:
  rere props --package helmholtz T=80degC P=1bar
  echo '{"package":"if97","P":1e6,"h":45000}' | rere props

Exit codes: 0 ok, 2 bad usage.`,
    )
    .action(
      async (inputs: string[], opts: { package?: string; compound?: string; json?: boolean }) => {
        let code: number
        if (inputs.length > 0) code = await runArgs(inputs, opts, process.stdout, process.stderr)
        else if (!process.stdin.isTTY || opts.json)
          code = await runJsonLines(process.stdin, process.stdout, opts)
        else {
          process.stderr.write(
            'rere props: give KEY=VALUE pairs (e.g. T=80degC P=1bar) or JSON lines on standard input\n',
          )
          code = 2
        }
        process.exitCode = code
      },
    )
}
