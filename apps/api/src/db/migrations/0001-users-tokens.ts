import type { Kysely } from 'kysely'
import { runScript } from './run-sql.ts'

/** Users and their personal API tokens (read and written by apps/api/src/auth). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table users (
      id bigserial primary key,
      email text not null unique,
      display_name text,
      created_at timestamptz not null default now()
    );
    create table api_tokens (
      id bigserial primary key,
      user_id bigint not null references users (id) on delete cascade,
      name text not null,
      token_hash text not null unique,
      prefix text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz null,
      last_used_at timestamptz null,
      revoked_at timestamptz null
    );
    create index api_tokens_user_idx on api_tokens (user_id);
  `,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `drop table api_tokens; drop table users;`)
}
