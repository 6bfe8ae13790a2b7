// The module each solver worker thread loads (bundled by bundle.ts): Piscina calls the default export.
import type { SolverTask, TaskOutcome } from './task-types.ts'
import { runTask } from './worker-task.ts'

export default function solverWorker(task: SolverTask): TaskOutcome {
  return runTask(task)
}
