import type { Migration } from 'kysely'
import * as m0001 from './0001-users-tokens.ts'
import * as m0002 from './0002-flowsheets.ts'
import * as m0003 from './0003-indexed-properties.ts'
import * as m0004 from './0004-inlet-end-properties.ts'
import * as m0005 from './0005-computed-from-runs.ts'
import * as m0006 from './0006-unit-lines.ts'
import * as m0007 from './0007-run-compression.ts'
import * as m0008 from './0008-sheet-head.ts'

/** Every migration, in order (a static map: no filesystem scanning, works from any bundle). */
export const migrations: Record<string, Migration> = {
  '0001-users-tokens': m0001,
  '0002-flowsheets': m0002,
  '0003-indexed-properties': m0003,
  '0004-inlet-end-properties': m0004,
  '0005-computed-from-runs': m0005,
  '0006-unit-lines': m0006,
  '0007-run-compression': m0007,
  '0008-sheet-head': m0008,
}
