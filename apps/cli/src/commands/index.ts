import type { Command } from 'commander'
import { register as start } from './start.ts'
import { register as api } from './api.ts'
import { register as solver } from './solver.ts'
import { register as migrate } from './migrate.ts'
import { register as token } from './token.ts'
import { register as backup } from './backup.ts'
import { register as props } from './props.ts'
import { register as solve } from './solve.ts'
import { register as fixture } from './fixture.ts'
import { register as loadtest } from './loadtest.ts'
import { register as experiment } from './experiment.ts'

/** Every subcommand, in `--help` order. `backup.ts` registers both `backup` and `restore`. */
export const commands: ((program: Command) => void)[] = [
  start,
  api,
  solver,
  migrate,
  token,
  backup,
  props,
  solve,
  fixture,
  loadtest,
  experiment,
]
