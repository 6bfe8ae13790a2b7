/** The shell's view of D1's database (apps/api/src/db): the `users` and `api_tokens` tables. */
import type { Kysely } from 'kysely'
import type { DB } from '../db/index.ts'

export type ShellDb = Kysely<DB>

export function toIso(v: Date | string | null | undefined): string | null {
  if (v === null || v === undefined) return null
  return (v instanceof Date ? v : new Date(v)).toISOString()
}
