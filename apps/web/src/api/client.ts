/**
 * Fetch wrapper for the Rere API: JSON in and out, errors as `ApiError` (status, stable code,
 * details), and per-flowsheet optimistic concurrency (If-Match with the last ETag seen).
 * The base URL is injected at build time (VITE_API_BASE_URL); same origin when unset.
 */

export const API_BASE: string = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/$/, '')

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown>
  readonly body: unknown
  constructor(
    status: number,
    code: string,
    message: string,
    details: Record<string, unknown>,
    body?: unknown,
  ) {
    super(message)
    this.status = status
    this.code = code
    this.details = details
    this.body = body
  }
}

type Listener = (e: ApiError) => void
const listeners = new Set<Listener>()
/** Subscribe to every API error (the app shell shows sign-in for 401, reload for 412). */
export function onApiError(l: Listener): () => void {
  listeners.add(l)
  return () => listeners.delete(l)
}

/** Last known version of each flowsheet (from ETag headers / bodies). */
const versions = new Map<number, number>()
export function setVersion(id: number, v: number | null | undefined): void {
  if (typeof v === 'number' && Number.isFinite(v)) versions.set(id, v)
  else versions.delete(id)
}
export function getVersion(id: number): number | undefined {
  return versions.get(id)
}

export interface RequestOptions {
  method?: string
  body?: unknown
  /** flowsheet this write concerns: sends If-Match and records the new ETag */
  flowsheetId?: number
  signal?: AbortSignal
  /** errors with these statuses are returned to the caller only (not broadcast) */
  quiet?: number[]
}

function parseEtag(h: string | null): number | null {
  if (!h) return null
  const n = Number(h.replace(/^W\//, '').replace(/"/g, ''))
  return Number.isFinite(n) ? n : null
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  const write = opts.method && opts.method !== 'GET'
  if (write && opts.flowsheetId !== undefined) {
    const v = versions.get(opts.flowsheetId)
    if (v !== undefined) headers['if-match'] = `"${v}"`
  }
  let res: Response
  try {
    res = await fetch(API_BASE + path, {
      method: opts.method ?? 'GET',
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: API_BASE ? 'include' : 'same-origin',
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    const err = new ApiError(0, 'NETWORK', `Cannot reach the API (${(e as Error).message})`, {})
    throw err
  }
  if (opts.flowsheetId !== undefined) {
    const etag = parseEtag(res.headers.get('etag'))
    if (etag !== null) versions.set(opts.flowsheetId, etag)
    else if (write && res.ok) versions.delete(opts.flowsheetId)
  }
  const text = res.status === 204 ? '' : await res.text()
  let body: unknown = null
  if (text) {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  if (!res.ok) {
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
    const code = typeof b.code === 'string' ? b.code : `HTTP_${res.status}`
    const message = typeof b.message === 'string' ? b.message : res.statusText || code
    const details = (b.details && typeof b.details === 'object' ? b.details : {}) as Record<
      string,
      unknown
    >
    const err = new ApiError(res.status, code, message, details, body)
    if (!opts.quiet?.includes(res.status)) for (const l of listeners) l(err)
    throw err
  }
  return body as T
}

/** A description of an API error for the page. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const field = e.details.field ?? e.details.path
    return `${e.message}${field ? ` (${String(field)})` : ''} [${e.code}]`
  }
  return e instanceof Error ? e.message : String(e)
}

/**
 * Serialises writes so that each carries the version left by the previous one
 * (two in-flight writes with the same If-Match would conflict with each other).
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve()
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn)
    this.tail = next.catch(() => undefined)
    return next
  }
}
