/** Messages between the pool (main thread) and a solver worker thread. */
export type SolverTask =
  | { op: 'solve'; doc: unknown; fullState: boolean; deadlineMs: number }
  | { op: 'buildState'; doc: unknown }
  | { op: 'analyze'; doc: unknown }
  | { op: 'catalogue' }
  | { op: 'envelope'; package: string; compound?: string }

export interface SerializedError {
  code: string
  statusCode: number
  message: string
  details: Record<string, unknown>
}

export type TaskOutcome = { ok: true; value: unknown } | { ok: false; error: SerializedError }
