/**
 * The one error base of Rere. Every layer throws an `AppError` (or a subclass) with a stable
 * `code` (`AREA_WHAT`, documented in docs/errors.md), the HTTP `statusCode` it maps to,
 * optional structured `details` (e.g. `{ path: 'unit_models[0].ports.inlet' }`) and a `cause`.
 */
export class AppError extends Error {
  readonly code: string
  readonly statusCode: number
  readonly details?: Record<string, unknown>

  constructor(
    code: string,
    message: string,
    opts: { statusCode?: number; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'AppError'
    this.code = code
    this.statusCode = opts.statusCode ?? 400
    if (opts.details !== undefined) this.details = opts.details
  }

  /** The HTTP body `{statusCode, code, message, details}`; 5xx messages are masked. */
  toBody(): ErrorBody {
    const masked = this.statusCode >= 500
    return {
      statusCode: this.statusCode,
      code: this.code,
      message: masked ? 'Internal error' : this.message,
      details: masked ? {} : (this.details ?? {}),
    }
  }
}

/** The body of every HTTP error reply of the API and the solver service. */
export interface ErrorBody {
  statusCode: number
  code: string
  message: string
  details: Record<string, unknown>
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError
}
