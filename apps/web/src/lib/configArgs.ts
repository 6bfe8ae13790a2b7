// The args of a unit the editor lets the user change (kept out of the lazily loaded panel).

/** A configuration arg of a unit the panel lets the user change. */
export interface ConfigArg {
  key: string
  label: string
  value: number | string
  /** a whole number from 1 to 64 (port counts) when absent; else one of these */
  options?: string[]
}

/** The args of a catalogue entry the editor offers: port counts and the exchanger's mean. */
export function configArgsOf(
  entryArgs: Record<string, unknown> | undefined,
  args: Record<string, unknown> | undefined,
): ConfigArg[] {
  const out: ConfigArg[] = []
  const value = (k: string) => args?.[k] ?? entryArgs?.[k]
  for (const [key, label] of [
    ['num_inlets', 'Inlets'],
    ['num_outlets', 'Outlets'],
  ] as const)
    if (entryArgs && key in entryArgs) out.push({ key, label, value: Number(value(key)) })
  if (entryArgs && 'delta_temperature' in entryArgs)
    out.push({
      key: 'delta_temperature',
      label: 'Mean temperature difference',
      value: String(value('delta_temperature')),
      options: ['underwood', 'lmtd'],
    })
  return out
}
