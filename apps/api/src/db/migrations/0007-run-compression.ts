import { sql, type Kysely } from 'kysely'

/**
 * Stored solve results (a few KiB of JSON per run, one run per solve) are compressed with lz4
 * instead of the default pglz: in the run writer's statement PostgreSQL spent about a third of
 * its CPU compressing results with pglz, lz4 takes a fraction of that. PostgreSQL builds without
 * lz4 (PGlite) keep pglz. Existing rows keep their compression until rewritten.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`do $$ begin
      alter table solve_runs alter column result set compression lz4;
    exception when feature_not_supported then null;
    end $$`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table solve_runs alter column result set compression default`.execute(db)
}
