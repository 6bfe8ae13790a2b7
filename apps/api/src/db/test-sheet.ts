/**
 * For unit tests of the data layer: an in-memory PGlite with every migration, one user and one
 * empty flowsheet; and a Kysely plugin that counts the statements run through it.
 */
import type { KyselyPlugin } from 'kysely'
import { openDatabase, type Database } from './index.ts'

export async function openTestSheet(): Promise<{
  database: Database
  user: number
  sheet: number
}> {
  const database = await openDatabase({})
  await database.migrate()
  const { db } = database
  const { id: user } = await db
    .insertInto('users')
    .values({ email: 'test@example.test' })
    .returning('id')
    .executeTakeFirstOrThrow()
  const { id: sheet } = await db
    .insertInto('flowsheets')
    .values({ owner_id: user, name: 'test', expressions: '[]', meta: '{}' })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { database, user, sheet }
}

export function statementCounter(): KyselyPlugin & { count: number } {
  const counter = {
    count: 0,
    transformQuery: (a: Parameters<KyselyPlugin['transformQuery']>[0]) => {
      counter.count++
      return a.node
    },
    transformResult: async (a: Parameters<KyselyPlugin['transformResult']>[0]) => a.result,
  }
  return counter
}
