import { useState } from 'react'
import type { SolveResult, StreamResult } from '../api/types.ts'
import { downloadText } from '../lib/download.ts'
import { DEFAULT_UNITS, type DisplayUnits } from '../lib/displayUnits.ts'
import { QUANTITY_KINDS, formatNumber, fromSI, quantityOf, unitLabel } from '../lib/units.ts'

export { DEFAULT_UNITS, type DisplayUnits }

/** Units offered per column: molar and mass basis (the stream has both flows). */
const CHOICES: Record<keyof DisplayUnits, string[]> = {
  temperature: QUANTITY_KINDS.temperature.choices,
  pressure: QUANTITY_KINDS.pressure.choices,
  flow: [...QUANTITY_KINDS.molar_flow.choices, ...QUANTITY_KINDS.mass_flow.choices],
  enthalpy: [...QUANTITY_KINDS.molar_enthalpy.choices, ...QUANTITY_KINDS.mass_enthalpy.choices],
  entropy: [...QUANTITY_KINDS.molar_entropy.choices, ...QUANTITY_KINDS.mass_entropy.choices],
  power: QUANTITY_KINDS.power.choices,
}

const COLS: { key: keyof StreamResult; title: string; q?: keyof DisplayUnits }[] = [
  { key: 'temperature', title: 'Temperature', q: 'temperature' },
  { key: 'pressure', title: 'Pressure', q: 'pressure' },
  { key: 'flowMol', title: 'Flow', q: 'flow' },
  { key: 'vaporFrac', title: 'Vapour fraction' },
  { key: 'enthMol', title: 'Enthalpy', q: 'enthalpy' },
  { key: 'entrMol', title: 'Entropy', q: 'entropy' },
  { key: 'phase', title: 'Phase' },
]

/** Molar mass from the stream's mass and molar flows [kg/mol] (water when there is no flow). */
const molarMass = (s: StreamResult) =>
  s.flowMol && s.flowMass ? s.flowMass / s.flowMol : 0.018015268

/** One stream value in the chosen unit; mass-basis units use the stream's molar mass. */
export function streamValue(s: StreamResult, key: keyof StreamResult, unit: string): number {
  const v = s[key] as number
  const M = molarMass(s)
  switch (key) {
    case 'temperature':
      return fromSI(v, unit, 'temperature')
    case 'pressure':
      return fromSI(v, unit, 'pressure')
    case 'flowMol':
      return QUANTITY_KINDS.mass_flow.choices.includes(unit)
        ? fromSI(s.flowMass ?? v * M, unit, 'mass_flow')
        : fromSI(v, unit, 'molar_flow')
    case 'enthMol':
      return QUANTITY_KINDS.mass_enthalpy.choices.includes(unit)
        ? fromSI(v / M, unit, 'mass_enthalpy')
        : fromSI(v, unit, 'molar_enthalpy')
    case 'entrMol':
      return QUANTITY_KINDS.mass_entropy.choices.includes(unit)
        ? fromSI(v / M, unit, 'mass_entropy')
        : fromSI(v, unit, 'molar_entropy')
    default:
      return v
  }
}

function cell(s: StreamResult, c: (typeof COLS)[number], units: DisplayUnits): string {
  const v = s[c.key]
  if (c.key === 'phase') return String(v ?? '')
  if (typeof v !== 'number') return '—'
  return c.q ? formatNumber(streamValue(s, c.key, units[c.q])) : formatNumber(v)
}

export function streamTableRows(streams: StreamResult[], units: DisplayUnits): string[][] {
  const head = [
    'Stream',
    ...COLS.map((c) => (c.q ? `${c.title} [${unitLabel(units[c.q])}]` : c.title)),
  ]
  return [head, ...streams.map((s) => [s.name, ...COLS.map((c) => cell(s, c, units))])]
}

export function StreamTable({
  result,
  units,
  onUnits,
}: {
  result: SolveResult
  units: DisplayUnits
  onUnits: (u: DisplayUnits) => void
}) {
  const [copied, setCopied] = useState(false)
  const rows = streamTableRows(result.streams, units)
  return (
    <div className="stream-table">
      <div className="row">
        <button
          type="button"
          onClick={() => {
            const tsv = rows.map((r) => r.join('\t')).join('\n')
            navigator.clipboard?.writeText(tsv).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }}
        >
          Copy table
        </button>
        <button
          type="button"
          onClick={() =>
            downloadText(
              'streams.csv',
              rows
                .map((r) =>
                  r.map((x) => (/[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x)).join(','),
                )
                .join('\n') + '\n',
              'text/csv',
            )
          }
        >
          Export CSV
        </button>
        {copied && <span role="status">Copied</span>}
      </div>
      <table aria-label="Stream table">
        <thead>
          <tr>
            <th scope="col">Stream</th>
            {COLS.map((c) => (
              <th scope="col" key={c.key}>
                {c.title}
                {c.q && (
                  <select
                    aria-label={`${c.title} unit`}
                    value={units[c.q]}
                    onChange={(e) => onUnits({ ...units, [c.q!]: e.target.value })}
                  >
                    {CHOICES[c.q].map((u) => (
                      <option key={u} value={u}>
                        {unitLabel(u)}
                      </option>
                    ))}
                  </select>
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(1).map((r, i) => (
            <tr key={result.streams[i].streamId} data-stream={r[0]}>
              <th scope="row">{r[0]}</th>
              {r.slice(1).map((x, j) => (
                <td key={j} data-col={COLS[j].key}>
                  {x}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const VALUE_LABEL: Record<string, string> = {
  work_mechanical: 'Mechanical work',
  work_fluid: 'Fluid work',
  work_isentropic: 'Isentropic work',
  heat_duty: 'Heat duty',
  deltaP: 'Pressure change',
  ratioP: 'Pressure ratio',
  efficiency_pump: 'Efficiency',
  efficiency_isentropic: 'Isentropic efficiency',
}

/** Unit results (work, duty ...) in the chosen units. */
export function UnitResults({ result, units }: { result: SolveResult; units: DisplayUnits }) {
  if (!result.units.length) return <p>No unit results.</p>
  return (
    <div className="unit-results">
      {result.units.map((u) => (
        <section key={u.unitId} aria-label={`Results of ${u.name}`} data-unit={u.name}>
          <h3>
            {u.name} <small>{u.type}</small>
          </h3>
          <dl>
            {Object.entries(u.values).map(([k, v]) => {
              const q = quantityOf({ key: k, unitSI: u.unitsSI?.[k] })
              const unit =
                q === 'power'
                  ? units.power
                  : (QUANTITY_KINDS[q]?.choices[0] ?? u.unitsSI?.[k] ?? '')
              const shown = q === 'dimensionless' ? v : fromSI(v, unit, q)
              return (
                <div key={k} data-key={k}>
                  <dt>{VALUE_LABEL[k] ?? k}</dt>
                  <dd>
                    {formatNumber(shown)} {unit && unit !== 'dimensionless' ? unitLabel(unit) : ''}
                  </dd>
                </div>
              )
            })}
          </dl>
        </section>
      ))}
    </div>
  )
}
