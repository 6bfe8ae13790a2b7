import type { ConfigArg } from '../lib/configArgs.ts'
import { useId, useRef, useState } from 'react'
import type { UnitDof } from '@rere/contract'
import type { PropertyInfo, SimulationObject } from '../api/types.ts'
import {
  choicesFor,
  formatNumber,
  fromSI,
  quantityOf,
  unitLabel,
  validateInput,
} from '../lib/units.ts'
import { DofStatusBadge } from './DofDisplay.tsx'

export type PropPatch = { value?: number | null; unit?: string; fixed?: boolean }

/** SI value computed for a property by the last solve (the property's own, or from the result). */
function computedSI(p: PropertyInfo, computed?: Map<number, number | null>): number | null {
  if (p.computed !== undefined && p.computed !== null) return p.computed
  const c = computed?.get(p.id)
  return c === undefined ? null : c
}

function PropertyRow({
  prop,
  computed,
  onPatch,
}: {
  prop: PropertyInfo
  computed: number | null
  onPatch: (p: PropertyInfo, patch: PropPatch) => Promise<unknown>
}) {
  const id = useId()
  const q = quantityOf(prop)
  const [draft, setDraft] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  // Enter commits and disables the field, which blurs it: the blur must not commit again
  const committing = useRef(false)
  const shown =
    prop.fixed && prop.value !== null
      ? String(prop.value)
      : computed !== null
        ? formatNumber(fromSI(computed, prop.unit, q))
        : ''
  const text = draft ?? shown
  const check =
    draft === null ? { value: null, error: null } : validateInput(draft, q, prop.unit, prop.key)

  async function commit() {
    if (draft === null || check.error || committing.current) return
    const t = draft.trim()
    if (t === shown.trim() && (prop.fixed || t === '')) {
      setDraft(null)
      return
    }
    setBusy(true)
    committing.current = true
    try {
      if (t === '') {
        if (prop.fixed) await onPatch(prop, { fixed: false })
      } else await onPatch(prop, { value: check.value, unit: prop.unit, fixed: true })
    } finally {
      committing.current = false
      setBusy(false)
      setDraft(null)
    }
  }

  const choices = choicesFor(q, prop.unit)
  const errId = `${id}-err`
  return (
    <div className={`prop-row ${prop.fixed ? 'specified' : 'computed'}`} data-key={prop.key}>
      <label htmlFor={id} className="prop-label">
        {prop.displayName}
      </label>
      <input
        id={id}
        data-key={prop.key}
        className="prop-input"
        inputMode="decimal"
        autoComplete="off"
        value={text}
        placeholder={prop.fixed ? '' : 'computed'}
        aria-invalid={check.error ? true : undefined}
        aria-describedby={check.error ? errId : undefined}
        disabled={busy}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => void commit()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void commit()
          if (e.key === 'Escape') setDraft(null)
        }}
      />
      {choices.length > 1 ? (
        <select
          aria-label={`${prop.displayName} unit`}
          data-key={prop.key}
          value={prop.unit}
          disabled={busy}
          onChange={(e) => {
            setBusy(true)
            void onPatch(prop, { unit: e.target.value }).finally(() => setBusy(false))
          }}
        >
          {choices.map((c) => (
            <option key={c} value={c}>
              {unitLabel(c)}
            </option>
          ))}
        </select>
      ) : (
        <span className="unit-fixed">{unitLabel(prop.unit || 'dimensionless')}</span>
      )}
      <span
        className={`mark ${prop.fixed ? 'spec' : 'calc'}`}
        title={prop.fixed ? 'Specified (fixed) by you' : 'Computed by the solver'}
      >
        {prop.fixed ? 'spec' : computed !== null ? 'calc' : ''}
      </span>
      {check.error && (
        <span id={errId} role="alert" className="field-error">
          {check.error}
        </span>
      )}
    </div>
  )
}

function ConfigRow({
  arg,
  onChange,
}: {
  arg: ConfigArg
  onChange: (key: string, value: number | string) => Promise<unknown>
}) {
  const id = useId()
  const [draft, setDraft] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const text = draft ?? String(arg.value)
  const n = Number(text)
  const error =
    draft === null || arg.options
      ? null
      : Number.isInteger(n) && n >= 1 && n <= 64
        ? null
        : 'a whole number from 1 to 64'
  const commit = async (v: number | string) => {
    setBusy(true)
    try {
      if (v !== arg.value) await onChange(arg.key, v)
    } finally {
      setBusy(false)
      setDraft(null)
    }
  }
  return (
    <div className="prop-row config" data-key={arg.key}>
      <label htmlFor={id} className="prop-label">
        {arg.label}
      </label>
      {arg.options ? (
        <select
          id={id}
          data-key={arg.key}
          value={String(arg.value)}
          disabled={busy}
          onChange={(e) => void commit(e.target.value)}
        >
          {arg.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          data-key={arg.key}
          className="prop-input"
          inputMode="numeric"
          value={text}
          disabled={busy}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => {
            if (draft !== null && !error) void commit(n)
            else if (error) setDraft(null)
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur()
            if (e.key === 'Escape') setDraft(null)
          }}
        />
      )}
      {error && <span className="prop-error">{error}</span>}
    </div>
  )
}

/** Every property of the selected unit or stream: value, unit selector, specified/computed mark. */
export function PropertyPanel({
  obj,
  typeName,
  dof,
  computed,
  onPatch,
  onRename,
  config = [],
  onConfig,
}: {
  obj: SimulationObject
  typeName: string
  dof?: UnitDof
  computed?: Map<number, number | null>
  onPatch: (p: PropertyInfo, patch: PropPatch) => Promise<unknown>
  onRename?: (name: string) => void
  /** the unit's changeable args (see configArgsOf) */
  config?: ConfigArg[]
  onConfig?: (key: string, value: number | string) => Promise<unknown>
}) {
  const [name, setName] = useState<string | null>(null)
  const props = obj.properties.contained_properties
  const specified = props.filter((p) => p.fixed)
  const others = props.filter((p) => !p.fixed)
  return (
    <section className="property-panel" aria-label={`Properties of ${obj.componentName}`}>
      <header>
        <label className="name-field">
          <span className="visually-hidden">Name</span>
          <input
            aria-label="Name"
            value={name ?? obj.componentName}
            onChange={(e) => setName(e.target.value)}
            onBlur={() => {
              if (name !== null && name.trim() && onRename) onRename(name.trim())
              setName(null)
            }}
            onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          />
        </label>
        <span className="type">{typeName}</span>
      </header>
      {dof && (
        <p className="unit-dof">
          <DofStatusBadge status={dof.status} dof={dof.dof} /> {dof.message}
        </p>
      )}
      {config.length > 0 && onConfig && (
        <>
          <h3>Configuration</h3>
          {config.map((a) => (
            <ConfigRow key={a.key} arg={a} onChange={onConfig} />
          ))}
        </>
      )}
      {props.length === 0 && <p>No properties.</p>}
      {specified.length > 0 && <h3>Specified</h3>}
      {specified.map((p) => (
        <PropertyRow key={p.id} prop={p} computed={computedSI(p, computed)} onPatch={onPatch} />
      ))}
      {others.length > 0 && <h3>Computed (type a value to specify)</h3>}
      {others.map((p) => (
        <PropertyRow key={p.id} prop={p} computed={computedSI(p, computed)} onPatch={onPatch} />
      ))}
    </section>
  )
}
