import type { Kysely } from 'kysely'
import { runScript } from './run-sql.ts'

/**
 * Flowsheets and everything in them.
 *
 * Consistency kept by the database:
 *  - every row carries `flowsheet_id` (cascade from the flowsheet; the owner check is one join);
 *  - deleting a simulation object cascades to its ports, property set and properties;
 *  - a port joins at most one stream (`ports.stream_id` is one column) and a stream joins at most
 *    one outlet port to one inlet port (unique `(stream_id, direction)`); deleting a stream
 *    disconnects its ports (`on delete set null`);
 *  - property keys are unique per property set; a set-point link (`controlled_id`) is cleared
 *    when its target goes away.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    create table flowsheets (
      id bigserial primary key,
      owner_id bigint not null references users (id) on delete cascade,
      name text not null,
      version integer not null default 1,
      expressions jsonb not null default '[]',
      meta jsonb not null default '{}',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index flowsheets_owner_idx on flowsheets (owner_id, id);

    create table property_packages (
      id bigserial primary key,
      flowsheet_id bigint not null references flowsheets (id) on delete cascade,
      name text not null,
      compounds jsonb not null default '["water"]',
      phases jsonb not null default '["Liq","Vap"]',
      created_at timestamptz not null default now()
    );
    create index property_packages_flowsheet_idx on property_packages (flowsheet_id, id);

    create table simulation_objects (
      id bigserial primary key,
      flowsheet_id bigint not null references flowsheets (id) on delete cascade,
      object_type text not null,
      component_name text not null,
      x double precision not null default 0,
      y double precision not null default 0,
      args jsonb not null default '{}',
      created_at timestamptz not null default now()
    );
    create index simulation_objects_flowsheet_idx on simulation_objects (flowsheet_id, id);

    create table ports (
      id bigserial primary key,
      flowsheet_id bigint not null references flowsheets (id) on delete cascade,
      unit_id bigint not null references simulation_objects (id) on delete cascade,
      name text not null,
      direction text not null check (direction in ('inlet', 'outlet')),
      stream_id bigint null references simulation_objects (id) on delete set null,
      unique (unit_id, name)
    );
    create unique index ports_stream_direction_uq on ports (stream_id, direction)
      where stream_id is not null;
    create index ports_flowsheet_idx on ports (flowsheet_id);

    create table property_sets (
      id bigserial primary key,
      flowsheet_id bigint not null references flowsheets (id) on delete cascade,
      object_id bigint not null unique references simulation_objects (id) on delete cascade
    );

    create table property_infos (
      id bigserial primary key,
      flowsheet_id bigint not null references flowsheets (id) on delete cascade,
      object_id bigint not null references simulation_objects (id) on delete cascade,
      set_id bigint not null references property_sets (id) on delete cascade,
      key text not null,
      display_name text not null,
      unit text not null default '',
      value double precision null,
      value_si double precision null,
      unit_si text not null default '',
      quantity text not null default '',
      fixed boolean not null default false,
      guess boolean not null default false,
      computed double precision null,
      computed_run_id bigint null,
      constraint_expr text null,
      controlled_id bigint null references property_infos (id) on delete set null,
      sort_order integer not null default 0,
      unique (set_id, key)
    );
    create index property_infos_flowsheet_idx on property_infos (flowsheet_id);
    create index property_infos_object_idx on property_infos (object_id, sort_order);

    create table solve_runs (
      id bigserial primary key,
      flowsheet_id bigint not null references flowsheets (id) on delete cascade,
      user_id bigint null references users (id) on delete set null,
      status text not null check (status in ('success', 'error')),
      flowsheet_version integer not null,
      timing jsonb not null default '{}',
      error jsonb null,
      result jsonb null,
      solver_version text null,
      package_version jsonb null,
      created_at timestamptz not null default now()
    );
    create index solve_runs_flowsheet_idx on solve_runs (flowsheet_id, id desc);
  `,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    drop table solve_runs; drop table property_infos; drop table property_sets; drop table ports;
    drop table simulation_objects; drop table property_packages; drop table flowsheets;
  `,
  )
}
