import type { Kysely } from 'kysely'
import { runScript } from './run-sql.ts'

/**
 * Stream properties that belong on the stream's INLET end (the destination port of an arc: tear
 * guesses or specifications, as in Ahuora documents) rather than on the port it leaves.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table property_infos add column at_inlet boolean not null default false;
    drop index property_infos_set_key_indexes_uq;
    create unique index property_infos_set_key_uq
      on property_infos (set_id, key, coalesce(indexes, 'null'::jsonb), at_inlet);
  `,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop index property_infos_set_key_uq;
    alter table property_infos drop column at_inlet;
    create unique index property_infos_set_key_indexes_uq
      on property_infos (set_id, key, coalesce(indexes, 'null'::jsonb));
  `,
  )
}
