/** Users seen through sign-on: created on first sight, cached by email for the process's life. */
import type { ShellDb } from './tables.ts'

export interface UserRecord {
  id: number
  email: string
  displayName: string
}

const MAX_CACHED = 10_000

export class UserDirectory {
  private cache = new Map<string, UserRecord>()
  private pending = new Map<string, Promise<UserRecord>>()
  constructor(private db: ShellDb) {}

  /** The user with this (lower-case) email when already loaded, without waiting. */
  known(email: string): UserRecord | undefined {
    return this.cache.get(email)
  }

  /** The user with this (lower-case) email, created when absent. */
  async ensure(email: string, displayName?: string): Promise<UserRecord> {
    const hit = this.cache.get(email)
    if (hit) return hit
    let p = this.pending.get(email)
    if (!p) {
      p = this.load(email, displayName).finally(() => this.pending.delete(email))
      this.pending.set(email, p)
    }
    return p
  }

  private async load(email: string, displayName?: string): Promise<UserRecord> {
    const name = (displayName?.trim() || email.split('@')[0]).slice(0, 200)
    await this.db
      .insertInto('users')
      .values({ email, display_name: name })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute()
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'email', 'display_name'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow()
    const user = { id: Number(row.id), email: row.email, displayName: row.display_name ?? email }
    if (this.cache.size >= MAX_CACHED) this.cache.clear()
    this.cache.set(email, user)
    return user
  }

  /** Forget cached users (after a restore). */
  clear(): void {
    this.cache.clear()
  }
}
