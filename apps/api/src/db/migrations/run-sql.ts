import { sql, type Kysely } from 'kysely'

/** Run a script of `;`-terminated statements one by one (PGlite's extended protocol takes one). */
export async function runScript(db: Kysely<unknown>, script: string): Promise<void> {
  for (const stmt of script.split(/;\s*(?:\n|$)/)) {
    if (stmt.trim()) await sql.raw(stmt).execute(db)
  }
}
