import { sql, type Kysely } from 'kysely'
import { siLine } from '../../properties/units.ts'
import { runScript } from './run-sql.ts'

/**
 * Each property keeps its unit as an affine map to SI (`si_factor`, `si_offset`), so that the
 * object lists, built in SQL, can show a computed value in the property's own unit (`value`), as
 * the seed platform's clients read it after a solve.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table property_infos add column si_factor double precision not null default 1,
      add column si_offset double precision not null default 0;
  `,
  )
  const pairs = await sql<{ unit: string; quantity: string }>`
    select distinct unit, quantity from property_infos`.execute(db)
  for (const { unit, quantity } of pairs.rows) {
    let line: { factor: number; offset: number }
    try {
      line = siLine(unit, quantity)
    } catch {
      continue // a unit this version cannot read keeps the identity map
    }
    await sql`update property_infos set si_factor = ${line.factor}, si_offset = ${line.offset}
      where unit = ${unit} and quantity = ${quantity}`.execute(db)
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `alter table property_infos drop column si_factor, drop column si_offset;`)
}
