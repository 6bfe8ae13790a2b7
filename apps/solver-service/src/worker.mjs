// Piscina worker entry. Worker threads do not inherit the main thread's module hooks, so the
// TypeScript loader (tsx) is registered here before the task module is imported.
import { register } from 'tsx/esm/api'

register()
const { runTask } = await import('./worker-task.ts')

export default function solverWorker(task) {
  return runTask(task)
}
