/**
 * The work one solver worker thread does. Runs inside a Piscina worker (see worker.mjs) and in
 * tests directly. Errors cross the thread boundary as plain objects (`SerializedError`), because
 * class identity is lost in structured cloning.
 */
import { isAppError } from '@rere/contract'
import {
  analyzeDocument,
  buildState,
  getCatalogue,
  getEnvelope,
  solveDocument,
} from '@rere/flowsheet'
import type { SolverTask, TaskOutcome } from './task-types.ts'

export function runTask(task: SolverTask): TaskOutcome {
  try {
    switch (task.op) {
      case 'solve':
        return {
          ok: true,
          value: solveDocument(task.doc, {
            fullState: task.fullState,
            deadlineMs: task.deadlineMs,
          }),
        }
      case 'buildState':
        return { ok: true, value: buildState(task.doc) }
      case 'analyze':
        return { ok: true, value: analyzeDocument(task.doc) }
      case 'catalogue':
        return { ok: true, value: getCatalogue() }
      case 'envelope':
        return { ok: true, value: getEnvelope(task.package, task.compound) }
      default:
        return {
          ok: false,
          error: { code: 'SOLVER_BAD_TASK', statusCode: 400, message: 'unknown task', details: {} },
        }
    }
  } catch (e) {
    if (isAppError(e)) {
      return {
        ok: false,
        error: {
          code: e.code,
          statusCode: e.statusCode,
          message: e.message,
          details: e.details ?? {},
        },
      }
    }
    const err = e instanceof Error ? e : new Error(String(e))
    return {
      ok: false,
      error: {
        code: 'SOLVER_INTERNAL',
        statusCode: 500,
        message: err.message,
        details: { stack: err.stack ?? '' },
      },
    }
  }
}
