import type { AnalyzeReply, DofStatus } from '@rere/contract'

export const DOF_LABEL: Record<DofStatus, string> = {
  underspecified: 'Under-specified',
  square: 'Square',
  overspecified: 'Over-specified',
  singular: 'Singular',
}

export function DofStatusBadge({ status, dof }: { status: DofStatus; dof: number }) {
  return (
    <span className={`dof-pill ${status}`}>
      {DOF_LABEL[status] ?? status}
      {status !== 'square' && status !== 'singular' ? ` (${dof > 0 ? '+' : ''}${dof})` : ''}
    </span>
  )
}

/** The sheet's degrees of freedom (live), with the message naming what to add or remove. */
export function DofIndicator({
  analysis,
  loading,
  error,
}: {
  analysis?: AnalyzeReply
  loading?: boolean
  error?: string | null
}) {
  return (
    <div className="dof-indicator" role="status" aria-live="polite" aria-label="Degrees of freedom">
      {analysis ? (
        <>
          <DofStatusBadge status={analysis.status} dof={analysis.dof} />
          <span className="dof-message">{analysis.message}</span>
        </>
      ) : error ? (
        <span className="dof-message">DOF unavailable: {error}</span>
      ) : (
        <span className="dof-message">{loading ? 'Analysing…' : ''}</span>
      )}
    </div>
  )
}

/** Per-unit DOF list (under the sheet indicator). */
export function UnitDofList({ analysis }: { analysis?: AnalyzeReply }) {
  const units = analysis?.units ?? []
  if (!units.length) return null
  return (
    <ul className="unit-dof-list" aria-label="Degrees of freedom per unit">
      {units.map((u) => (
        <li key={u.unitId} data-unit={u.name}>
          <strong>{u.name}</strong> <DofStatusBadge status={u.status} dof={u.dof} />{' '}
          <span>{u.message}</span>
        </li>
      ))}
    </ul>
  )
}
