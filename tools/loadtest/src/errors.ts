/**
 * Errors of the load-test toolkit. Each carries a stable code (docs/errors.md, "Load-test
 * toolkit") and the process exit code the CLI uses (k6's numbering where k6 has one).
 */
import { AppError } from '@rere/contract'

/** k6's exit codes (lib/exitcodes in k6): the ones the toolkit reuses. */
export const EXIT = {
  THRESHOLDS: 99,
  INVALID_CONFIG: 104,
  EXTERNAL_ABORT: 105,
  SETUP_FAILED: 107,
} as const

export class LoadtestError extends AppError {
  readonly exitCode: number
  constructor(
    code: string,
    message: string,
    opts: { exitCode?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, { statusCode: 400, details: opts.details, cause: opts.cause })
    this.name = 'LoadtestError'
    this.exitCode = opts.exitCode ?? EXIT.INVALID_CONFIG
  }
}

/** An invalid option, profile, plan or results file: exit 104. */
export function configError(
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): LoadtestError {
  return new LoadtestError(code, message, { exitCode: EXIT.INVALID_CONFIG, details })
}
