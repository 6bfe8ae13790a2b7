import type { Kysely } from 'kysely'
import { runScript } from './run-sql.ts'

/**
 * Indexed property values (Ahuora `discrete_indexes`, e.g. `split_flow[outlet_1]`,
 * `mole_frac_comp[water]`): one row per index, unique per (set, key, indexes).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table property_infos add column indexes jsonb null;
    alter table property_infos drop constraint property_infos_set_id_key_key;
    create unique index property_infos_set_key_indexes_uq
      on property_infos (set_id, key, coalesce(indexes, 'null'::jsonb));
  `,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop index property_infos_set_key_indexes_uq;
    alter table property_infos drop column indexes;
    alter table property_infos add constraint property_infos_set_id_key_key unique (set_id, key);
  `,
  )
}
