/**
 * Inline SVG line charts (no library, no CDN): each chart is a standalone <svg> with axes,
 * ticks, a legend and one polyline per series; gaps (NaN) split a line.
 */
export interface Series {
  name: string
  points: [number, number][]
  color?: string
  dashed?: boolean
}
export interface ChartSpec {
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  /** horizontal reference lines (e.g. the degradation threshold) */
  hlines?: { y: number; label: string }[]
  /** vertical markers (e.g. the degradation time) */
  vlines?: { x: number; label: string }[]
  width?: number
  height?: number
}

const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
]

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** "Nice" tick step for a range (1, 2, 5 x 10^k). */
function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) hi = lo + 1
  const raw = (hi - lo) / n
  const mag = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)))
  return out
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toPrecision(3)}M`
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toPrecision(3)}k`
  return String(Number(v.toPrecision(4)))
}

export function lineChart(c: ChartSpec): string {
  const W = c.width ?? 820
  const H = c.height ?? 280
  const m = { l: 64, r: 16, t: 30, b: 62 }
  const pw = W - m.l - m.r
  const ph = H - m.t - m.b
  const pts = c.series.flatMap((s) =>
    s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  )
  let x0 = Math.min(...pts.map((p) => p[0]), ...(c.vlines ?? []).map((v) => v.x))
  let x1 = Math.max(...pts.map((p) => p[0]), ...(c.vlines ?? []).map((v) => v.x))
  let y1 = Math.max(0, ...pts.map((p) => p[1]), ...(c.hlines ?? []).map((h) => h.y * 1.05))
  const y0 = Math.min(0, ...pts.map((p) => p[1]))
  if (!Number.isFinite(x0) || !Number.isFinite(x1)) {
    x0 = 0
    x1 = 1
  }
  if (x1 === x0) x1 = x0 + 1
  if (y1 === y0) y1 = y0 + 1
  const yt = ticks(y0, y1)
  y1 = Math.max(y1, yt[yt.length - 1] ?? y1)
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * pw
  const sy = (y: number) => m.t + ph - ((y - y0) / (y1 - y0)) * ph
  const out: string[] = []
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(c.title)}" font-family="system-ui, sans-serif" font-size="11">`,
  )
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`)
  out.push(`<text x="${m.l}" y="18" font-size="13" font-weight="600">${esc(c.title)}</text>`)
  for (const v of yt) {
    const y = sy(v).toFixed(1)
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`)
    out.push(
      `<text x="${m.l - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmt(v)}</text>`,
    )
  }
  for (const v of ticks(x0, x1, 8)) {
    const x = sx(v).toFixed(1)
    out.push(`<line x1="${x}" x2="${x}" y1="${m.t + ph}" y2="${m.t + ph + 4}" stroke="#333"/>`)
    out.push(`<text x="${x}" y="${m.t + ph + 16}" text-anchor="middle">${fmt(v)}</text>`)
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`)
  out.push(
    `<text x="${m.l + pw / 2}" y="${m.t + ph + 32}" text-anchor="middle">${esc(c.xLabel)}</text>`,
  )
  out.push(
    `<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" text-anchor="middle">${esc(c.yLabel)}</text>`,
  )
  for (const h of c.hlines ?? []) {
    const y = sy(h.y).toFixed(1)
    out.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${y}" y2="${y}" stroke="#000" stroke-dasharray="6 4"/>`,
    )
    out.push(
      `<text x="${m.l + pw - 4}" y="${Number(y) - 4}" text-anchor="end">${esc(h.label)}</text>`,
    )
  }
  for (const v of c.vlines ?? []) {
    const x = sx(v.x).toFixed(1)
    out.push(
      `<line x1="${x}" x2="${x}" y1="${m.t}" y2="${m.t + ph}" stroke="#d62728" stroke-dasharray="3 3"/>`,
    )
    out.push(`<text x="${Number(x) + 4}" y="${m.t + 12}" fill="#d62728">${esc(v.label)}</text>`)
  }
  c.series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]
    const parts: string[] = []
    let cur: string[] = []
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        if (cur.length) parts.push(cur.join(' '))
        cur = []
        continue
      }
      cur.push(`${cur.length ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
    }
    if (cur.length) parts.push(cur.join(' '))
    if (parts.length)
      out.push(
        `<path class="series" data-name="${esc(s.name)}" d="${parts.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      )
    const lx = m.l + (i % 5) * (pw / 5)
    const ly = H - 14 + Math.floor(i / 5) * 0 - (Math.floor(i / 5) ? 0 : 0)
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4 - Math.floor(i / 5) * 12}" y2="${ly - 4 - Math.floor(i / 5) * 12}" stroke="${color}" stroke-width="2"/>`,
    )
    out.push(`<text x="${lx + 22}" y="${ly - Math.floor(i / 5) * 12}">${esc(s.name)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n')
}
