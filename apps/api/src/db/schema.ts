/**
 * Kysely table types of the Rere database (the migrations in ./migrations create them).
 * Ids are `bigserial` read back as JS numbers (the drivers are configured to parse int8).
 */
import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface UsersTable {
  id: Generated<number>
  email: string
  display_name: string | null
  created_at: Timestamp
}

export interface ApiTokensTable {
  id: Generated<number>
  user_id: number
  name: string
  /** sha-256 (hex) of the secret; the secret itself is never stored */
  token_hash: string
  /** the first characters of the token, shown in lists */
  prefix: string
  created_at: Timestamp
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  revoked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export interface FlowsheetsTable {
  id: Generated<number>
  owner_id: number
  name: string
  /** optimistic-concurrency version; +1 on every write to the sheet or anything in it */
  version: Generated<number>
  /** top-level expressions `[{id, name, expression}]` (ids come from property_infos_id_seq) */
  expressions: JSONColumnType<{ id: number; name: string; expression: string }[]>
  /** free-form metadata kept from imports (e.g. the Ahuora document's description) */
  meta: JSONColumnType<Record<string, unknown>>
  created_at: Timestamp
  updated_at: Timestamp
}

export interface PropertyPackagesTable {
  id: Generated<number>
  flowsheet_id: number
  /** 'helmholtz' | 'if97' */
  name: string
  compounds: JSONColumnType<string[]>
  phases: JSONColumnType<string[]>
  created_at: Timestamp
}

export interface SimulationObjectsTable {
  id: Generated<number>
  flowsheet_id: number
  /** a solver catalogue unit type ('pump', 'heater', ...) or 'stream' */
  object_type: string
  component_name: string
  x: number
  y: number
  /** unit configuration arguments (num_inlets, property_package ...) */
  args: JSONColumnType<Record<string, unknown>>
  created_at: Timestamp
}

export interface PortsTable {
  id: Generated<number>
  flowsheet_id: number
  unit_id: number
  name: string
  /** 'inlet' | 'outlet' */
  direction: string
  /** the stream joined to this port (unique per (stream, direction)) */
  stream_id: number | null
}

export interface PropertySetsTable {
  id: Generated<number>
  flowsheet_id: number
  object_id: number
}

export interface PropertyInfosTable {
  id: Generated<number>
  flowsheet_id: number
  object_id: number
  set_id: number
  key: string
  display_name: string
  /** the unit the user chose (pint spelling) */
  unit: string
  /** the value in `unit`; null = compute it */
  value: number | null
  /** SI equivalents, kept in step with `value`/`unit` on every write */
  value_si: number | null
  unit_si: string
  /** `unit` as an affine map to SI: valueSI = value * si_factor + si_offset */
  si_factor: Generated<number>
  si_offset: Generated<number>
  quantity: string
  fixed: boolean
  guess: boolean
  constraint_expr: string | null
  /** set-point link: this property's value is reached by freeing property `controlled_id` */
  controlled_id: number | null
  sort_order: number
  /** discrete indexes of an indexed property (`['outlet_1']`), else null */
  /** stream properties only: placed on the stream's inlet end (destination port) */
  at_inlet: Generated<boolean>
  indexes: ColumnType<(string | number)[] | null, string | null | undefined, string | null>
}

export interface SolveRunsTable {
  id: Generated<number>
  flowsheet_id: number
  user_id: number | null
  status: string
  flowsheet_version: number
  timing: JSONColumnType<Record<string, unknown>>
  error: JSONColumnType<Record<string, unknown> | null>
  result: JSONColumnType<Record<string, unknown> | null>
  solver_version: string | null
  package_version: JSONColumnType<Record<string, string> | null>
  /** property id -> SI value computed by this run (success only); the newest is current */
  computed: JSONColumnType<Record<string, number> | null>
  created_at: Timestamp
}

export interface DB {
  users: UsersTable
  api_tokens: ApiTokensTable
  flowsheets: FlowsheetsTable
  property_packages: PropertyPackagesTable
  simulation_objects: SimulationObjectsTable
  ports: PortsTable
  property_sets: PropertySetsTable
  property_infos: PropertyInfosTable
  solve_runs: SolveRunsTable
}

export type UserRow = Selectable<UsersTable>
export type ApiTokenRow = Selectable<ApiTokensTable>
export type NewApiToken = Insertable<ApiTokensTable>
export type FlowsheetRow = Selectable<FlowsheetsTable>
export type PropertyInfoRow = Selectable<PropertyInfosTable>
export type SolveRunRow = Selectable<SolveRunsTable>
