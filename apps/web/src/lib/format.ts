/** Number for display: two decimals in the everyday range, 4 significant digits outside it. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—'
  if (v === 0) return '0'
  const a = Math.abs(v)
  if (a >= 0.1 && a < 1e6) return v.toFixed(2)
  return v.toPrecision(4)
}
