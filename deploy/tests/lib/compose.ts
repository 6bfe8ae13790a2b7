/**
 * Compose file helpers: variable interpolation as the Compose specification defines it
 * (${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $VAR, $$ for a literal $).
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^}]|\}(?!\s*$))*?))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      m,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (m === '$$') return '$'
      const name = (braced ?? bare) as string
      const v = env[name]
      if (!op) return v ?? ''
      const unsetOrEmpty = op.startsWith(':') ? v === undefined || v === '' : v === undefined
      if (op.endsWith('-')) return unsetOrEmpty ? (arg ?? '') : (v as string)
      if (unsetOrEmpty) throw new Error(`required variable ${name} is missing: ${arg ?? ''}`)
      return v as string
    },
  )
}
