// T–s and P–h diagrams of water (SVG): the saturation dome from the API's envelope route and
// each stream's state from the last solve, labelled.
import type { Envelope } from '@rere/contract'
import type { StreamResult } from '../api/types.ts'

const W = 520
const H = 340
const M = { l: 62, r: 16, t: 16, b: 44 }

function ticks(lo: number, hi: number, n = 6): number[] {
  const span = hi - lo
  const step0 = span / n
  const mag = 10 ** Math.floor(Math.log10(step0))
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= step0) ?? step0
  const out: number[] = []
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step)
    out.push(Number(v.toPrecision(12)))
  return out
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = []
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e
    if (v >= lo && v <= hi) out.push(v)
  }
  return out
}

interface Series {
  dome: [number, number][]
  points: { name: string; x: number; y: number; title: string }[]
}

function Plot({
  label,
  xLabel,
  yLabel,
  series,
  logY,
  testId,
}: {
  label: string
  xLabel: string
  yLabel: string
  series: Series
  logY?: boolean
  testId: string
}) {
  const all = [...series.dome, ...series.points.map((p) => [p.x, p.y] as [number, number])]
  if (!all.length) all.push([0, 1], [1, 2])
  const xs = all.map((p) => p[0])
  const ys = all.map((p) => p[1])
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)]
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)]
  const padX = (x1 - x0 || 1) * 0.06
  x0 -= padX
  x1 += padX
  if (logY) {
    y0 = Math.max(y0 / 2, 1e-3)
    y1 *= 2
  } else {
    const padY = (y1 - y0 || 1) * 0.06
    y0 -= padY
    y1 += padY
  }
  const fy = logY ? Math.log10 : (v: number) => v
  const sx = (v: number) => M.l + ((v - x0) / (x1 - x0)) * (W - M.l - M.r)
  const sy = (v: number) => H - M.b - ((fy(v) - fy(y0)) / (fy(y1) - fy(y0))) * (H - M.t - M.b)
  const path = series.dome
    .map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
    .join('')
  const yt = logY ? logTicks(y0, y1) : ticks(y0, y1)
  return (
    <figure className="diagram" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <title>{label}</title>
        <rect x={M.l} y={M.t} width={W - M.l - M.r} height={H - M.t - M.b} className="plot-bg" />
        {ticks(x0, x1).map((t) => (
          <g key={`x${t}`}>
            <line x1={sx(t)} x2={sx(t)} y1={H - M.b} y2={H - M.b + 4} className="axis" />
            <text x={sx(t)} y={H - M.b + 16} textAnchor="middle" className="tick">
              {t}
            </text>
          </g>
        ))}
        {yt.map((t) => (
          <g key={`y${t}`}>
            <line x1={M.l - 4} x2={M.l} y1={sy(t)} y2={sy(t)} className="axis" />
            <line x1={M.l} x2={W - M.r} y1={sy(t)} y2={sy(t)} className="grid" />
            <text x={M.l - 6} y={sy(t) + 4} textAnchor="end" className="tick">
              {t}
            </text>
          </g>
        ))}
        <text x={(W + M.l) / 2} y={H - 8} textAnchor="middle" className="axis-label">
          {xLabel}
        </text>
        <text
          x={14}
          y={(H - M.b) / 2}
          textAnchor="middle"
          className="axis-label"
          transform={`rotate(-90 14 ${(H - M.b) / 2})`}
        >
          {yLabel}
        </text>
        {path && <path d={path} className="dome" aria-label="Saturation dome" />}
        {series.points.map((p, i) => (
          <g key={p.name + i} className="state-point" data-stream={p.name} aria-label={p.title}>
            <title>{p.title}</title>
            <circle cx={sx(p.x)} cy={sy(p.y)} r={5} />
            <text x={sx(p.x) + 8} y={sy(p.y) - 8 - (i % 2) * 10} className="point-label">
              {p.name}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  )
}

/** Dome as one closed curve: liquid branch up to the critical point, vapour branch back down. */
function dome(
  env: Envelope,
  liq: (p: Envelope['points'][number]) => [number, number],
  vap: (p: Envelope['points'][number]) => [number, number],
  crit: [number, number],
) {
  const pts = [...env.points].sort((a, b) => a.T - b.T)
  return [...pts.map(liq), crit, ...pts.reverse().map(vap)]
}

export default function Diagrams({
  envelope,
  streams,
  envelopeError,
}: {
  envelope?: Envelope
  streams: StreamResult[]
  /** the envelope route failed: plot the states without the dome */
  envelopeError?: string | null
}) {
  if (!envelope && !envelopeError) return <p>Loading the saturation curve…</p>
  const c = envelope?.critical
  const ts: Series = {
    dome: envelope
      ? dome(
          envelope,
          (p) => [p.sLiq, p.T - 273.15],
          (p) => [p.sVap, p.T - 273.15],
          [c!.s, c!.T - 273.15],
        )
      : [],
    points: streams.map((s) => ({
      name: s.name,
      x: s.entrMol,
      y: s.temperature - 273.15,
      title: `${s.name}: T = ${(s.temperature - 273.15).toFixed(2)} °C, s = ${s.entrMol.toFixed(3)} J/(mol·K)`,
    })),
  }
  const ph: Series = {
    dome: envelope
      ? dome(
          envelope,
          (p) => [p.hLiq / 1000, p.P / 1000],
          (p) => [p.hVap / 1000, p.P / 1000],
          [c!.h / 1000, c!.P / 1000],
        )
      : [],
    points: streams.map((s) => ({
      name: s.name,
      x: s.enthMol / 1000,
      y: s.pressure / 1000,
      title: `${s.name}: P = ${(s.pressure / 1000).toFixed(2)} kPa, h = ${(s.enthMol / 1000).toFixed(3)} kJ/mol`,
    })),
  }
  return (
    <div className="diagrams">
      {envelopeError && (
        <p role="note" className="error">
          Saturation curve unavailable ({envelopeError}); stream states only.
        </p>
      )}
      <Plot
        label="T–s diagram"
        testId="ts-diagram"
        xLabel="s [J/(mol·K)]"
        yLabel="T [°C]"
        series={ts}
      />
      <Plot
        label="P–h diagram"
        testId="ph-diagram"
        xLabel="h [kJ/mol]"
        yLabel="P [kPa] (log)"
        series={ph}
        logY
      />
    </div>
  )
}
