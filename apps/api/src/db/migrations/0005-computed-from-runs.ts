import type { Kysely } from 'kysely'
import { runScript } from './run-sql.ts'

/**
 * Computed values live on the solve run that produced them (`solve_runs.computed`, property id ->
 * SI value) instead of being written back into `property_infos` by every solve: readers take them
 * from the flowsheet's newest successful run, so concurrent solves of one sheet insert rows and
 * never update (and lock) the same property rows. Existing computed values move to their run.
 * The stored reply (`result`) becomes `json`: it is only ever stored and returned whole, and
 * PostgreSQL checks `json` text without building the binary `jsonb` form on every solve.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table solve_runs add column computed jsonb null;
    update solve_runs s set computed = c.m
      from (select computed_run_id as run, jsonb_object_agg(id::text, computed) as m
            from property_infos where computed_run_id is not null and computed is not null
            group by computed_run_id) c
      where s.id = c.run;
    create index solve_runs_success_idx on solve_runs (flowsheet_id, id desc)
      where status = 'success';
    alter table property_infos drop column computed, drop column computed_run_id;
    alter table solve_runs alter column result type json using result::json;
  `,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    alter table property_infos add column computed double precision null,
      add column computed_run_id bigint null;
    update property_infos p set computed = (s.computed ->> p.id::text)::float8,
        computed_run_id = s.id
      from (select distinct on (flowsheet_id) id, flowsheet_id, computed from solve_runs
            where status = 'success' order by flowsheet_id, id desc) s
      where p.flowsheet_id = s.flowsheet_id and s.computed ? p.id::text;
    drop index solve_runs_success_idx;
    alter table solve_runs drop column computed;
    alter table solve_runs alter column result type jsonb using result::jsonb;
  `,
  )
}
