import '@xyflow/react/dist/style.css'
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react'
import { ReactFlowProvider } from '@xyflow/react'
import { useQuery } from '@tanstack/react-query'
import { describeError } from '../api/client.ts'
import type { SimulationObject } from '../api/types.ts'
import { exportFlowsheet, getEnvelope } from '../api/endpoints.ts'
import { DofIndicator, UnitDofList } from '../components/DofDisplay.tsx'
import { DEFAULT_UNITS, type DisplayUnits } from '../lib/displayUnits.ts'
import { Canvas, type Selection } from '../editor/Canvas.tsx'
import { Palette } from '../editor/Palette.tsx'
import { useEditor } from '../editor/useEditor.ts'
import { downloadText, safeFileName } from '../lib/download.ts'
import { navigate } from '../lib/router.ts'
import { formatNumber } from '../lib/format.ts'

/** Keyboard-reachable stream creation: a feed for each free inlet, a product for each free outlet. */
function PortActions({
  obj,
  onAdd,
}: {
  obj: SimulationObject
  onAdd: (portId: number, dir: 'inlet' | 'outlet') => void
}) {
  const free = obj.ports.filter((p) => p.streamId === null)
  if (!free.length) return null
  return (
    <div className="port-actions">
      <h3>Free ports</h3>
      {free.map((p) => (
        <button key={p.id} type="button" onClick={() => onAdd(p.id, p.direction)}>
          {p.direction === 'inlet' ? `Add feed to ${p.name}` : `Add product from ${p.name}`}
        </button>
      ))}
    </div>
  )
}

import { configArgsOf } from '../lib/configArgs.ts'

const Diagrams = lazy(() => import('../components/Diagrams.tsx'))
// the panel and the tables need the unit parser (@rere/units): a chunk of their own, so the
// canvas is interactive before it arrives
const PropertyPanel = lazy(() =>
  import('../components/PropertyPanel.tsx').then((m) => ({ default: m.PropertyPanel })),
)
const StreamTable = lazy(() =>
  import('../components/Results.tsx').then((m) => ({ default: m.StreamTable })),
)
const UnitResults = lazy(() =>
  import('../components/Results.tsx').then((m) => ({ default: m.UnitResults })),
)

type Tab = 'streams' | 'units' | 'diagrams' | 'log'

function loadUnits(): DisplayUnits {
  try {
    return { ...DEFAULT_UNITS, ...JSON.parse(localStorage.getItem('rere.displayUnits') ?? '{}') }
  } catch {
    return DEFAULT_UNITS
  }
}

function isTyping(t: EventTarget | null) {
  const el = t as HTMLElement | null
  return (
    !!el &&
    (el.tagName === 'INPUT' ||
      el.tagName === 'SELECT' ||
      el.tagName === 'TEXTAREA' ||
      el.isContentEditable)
  )
}

function EditorInner({ flowsheetId }: { flowsheetId: number }) {
  const m = useEditor(flowsheetId)
  const [selection, setSelection] = useState<Selection>([])
  const [tab, setTab] = useState<Tab>('streams')
  const [units, setUnits] = useState<DisplayUnits>(loadUnits)
  const envelope = useQuery({
    queryKey: ['envelope', 'helmholtz', 'water'],
    queryFn: () => getEnvelope('helmholtz', 'water'),
    staleTime: Infinity,
    enabled: tab === 'diagrams',
  })
  const { solve } = m.actions
  const { history } = m

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey
      if (mod && e.key === 'Enter') {
        e.preventDefault()
        void solve()
      } else if (mod && !isTyping(e.target) && e.key.toLowerCase() === 'z') {
        e.preventDefault()
        void (e.shiftKey ? history.redo() : history.undo())
      } else if (mod && !isTyping(e.target) && e.key.toLowerCase() === 'y') {
        e.preventDefault()
        void history.redo()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [solve, history])

  const setDisplayUnits = useCallback((u: DisplayUnits) => {
    setUnits(u)
    localStorage.setItem('rere.displayUnits', JSON.stringify(u))
  }, [])

  const one = selection.length === 1 ? selection[0] : null
  const selected = useMemo(() => {
    if (!one) return undefined
    const list = one.kind === 'unit' ? m.units.data : m.streams.data
    return list?.find((o) => o.id === one.id)
  }, [one, m.units.data, m.streams.data])
  const entry = m.catalogue.data?.units.find((e) => e.type === selected?.objectType)
  const unitDof = m.analysis.data?.units.find(
    (u) => u.unitId === selected?.id || u.name === selected?.componentName,
  )
  const result = m.results.data ?? null
  const computed = useMemo(
    () => new Map((result?.properties ?? []).map((p) => [p.id, p.valueSI])),
    [result],
  )
  const fsName = m.fs.data?.name ?? '…'

  async function onExport(format: 'rere' | 'ahuora') {
    try {
      const doc = await exportFlowsheet(flowsheetId, format)
      downloadText(`${safeFileName(fsName)}.${format}.json`, JSON.stringify(doc, null, 2))
    } catch (e) {
      m.setError(describeError(e))
    }
  }

  if (m.fs.error) {
    return (
      <main className="list-page">
        <p role="alert" className="error">
          {describeError(m.fs.error)}
        </p>
        <button type="button" onClick={() => navigate('/')}>
          Back to the flowsheets
        </button>
      </main>
    )
  }

  return (
    <main className="editor">
      <div className="toolbar" role="toolbar" aria-label="Flowsheet tools">
        <h1 className="sheet-name">{fsName}</h1>
        <button
          type="button"
          onClick={() => void history.undo()}
          disabled={!history.canUndo}
          title={history.undoLabel ? `Undo ${history.undoLabel} (Ctrl+Z)` : 'Undo (Ctrl+Z)'}
        >
          Undo
        </button>
        <button
          type="button"
          onClick={() => void history.redo()}
          disabled={!history.canRedo}
          title={
            history.redoLabel ? `Redo ${history.redoLabel} (Ctrl+Shift+Z)` : 'Redo (Ctrl+Shift+Z)'
          }
        >
          Redo
        </button>
        <button
          type="button"
          className="primary solve"
          onClick={() => void solve()}
          disabled={!!m.solving}
          aria-keyshortcuts="Control+Enter"
          title="Solve (Ctrl+Enter)"
        >
          {m.solving ? 'Solving…' : 'Solve'}
        </button>
        {m.solving && <progress aria-label="Solving" />}
        <span className="solve-status" role="status" aria-label="Solve status">
          {result
            ? result.status === 'success'
              ? `Solved in ${formatNumber(result.timing?.totalMs)} ms` +
                (m.lastSolveMs !== null ? ` (round trip ${Math.round(m.lastSolveMs)} ms)` : '')
              : `Solve failed: ${result.error?.message ?? 'unknown error'}`
            : 'Not solved yet'}
        </span>
        <span className="spacer" />
        <span className="saving" aria-live="polite">
          {m.pending > 0 ? 'Saving…' : 'Saved'}
        </span>
        <button type="button" onClick={() => void onExport('rere')}>
          Export JSON
        </button>
        <button type="button" onClick={() => void onExport('ahuora')}>
          Export Ahuora
        </button>
      </div>
      <DofIndicator
        analysis={m.analysis.data}
        loading={m.analysis.isFetching}
        error={m.analysis.error ? describeError(m.analysis.error) : null}
      />
      {m.conflict !== null && (
        <div className="banner warn" role="alert">
          This flowsheet was changed elsewhere
          {m.conflict >= 0 ? ` (now version ${m.conflict})` : ''}. Your last change was not saved.
          <button type="button" onClick={() => void m.actions.reload()}>
            Reload
          </button>
        </div>
      )}
      {m.error && (
        <div className="banner error" role="alert">
          {m.error}
          <button type="button" aria-label="Dismiss" onClick={() => m.setError(null)}>
            ×
          </button>
        </div>
      )}
      <div className="workspace">
        <Palette
          entries={(m.catalogue.data?.units ?? []).filter((e) => e.type !== 'stream')}
          onAdd={(e, x, y) => void m.actions.addUnit(e.type, e.displayName, x, y)}
        />
        <div className="canvas-wrap">
          {m.units.data && m.streams.data ? (
            <Canvas model={m} onSelection={setSelection} />
          ) : (
            <p className="loading">Loading the sheet…</p>
          )}
        </div>
        <aside className="side" aria-label="Inspector">
          {selected ? (
            <Suspense fallback={<p className="loading">Loading…</p>}>
              <PropertyPanel
                key={selected.id}
                obj={selected}
                typeName={
                  selected.objectType === 'stream'
                    ? 'Material stream'
                    : (entry?.displayName ?? selected.objectType)
                }
                dof={unitDof}
                computed={computed}
                onPatch={(p, patch) => m.actions.setProperty(selected.id, p, patch)}
                onRename={(n) => void m.actions.rename(selected.id, n)}
                config={
                  selected.objectType === 'stream' ? [] : configArgsOf(entry?.args, selected.args)
                }
                onConfig={(key, value) => m.actions.setArgs(selected.id, { [key]: value })}
              />
            </Suspense>
          ) : null}
          {selected && selected.objectType !== 'stream' && (
            <PortActions
              obj={selected}
              onAdd={(port, dir) =>
                void m.actions.addStream(
                  dir === 'outlet' ? port : null,
                  dir === 'inlet' ? port : null,
                  selected.x + (dir === 'inlet' ? -160 : 200),
                  selected.y + 20,
                )
              }
            />
          )}
          {selected ? null : (
            <div className="sheet-info">
              <h2>
                {selection.length > 1 ? `${selection.length} objects selected` : 'Nothing selected'}
              </h2>
              <p>
                Select a unit or stream to edit its properties. Shift-click or Shift-drag selects
                several; Delete removes them.
              </p>
              <UnitDofList analysis={m.analysis.data} />
            </div>
          )}
        </aside>
      </div>
      <section className="results" aria-label="Results">
        <div role="tablist" aria-label="Result views">
          {(
            [
              ['streams', 'Stream table'],
              ['units', 'Unit results'],
              ['diagrams', 'T–s / P–h diagrams'],
              ['log', 'Solver log'],
            ] as [Tab, string][]
          ).map(([t, label]) => (
            <button
              key={t}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls={`tab-${t}`}
              id={`tabbtn-${t}`}
              className={tab === t ? 'active' : ''}
              onClick={() => setTab(t)}
            >
              {label}
            </button>
          ))}
        </div>
        <div
          role="tabpanel"
          id={`tab-${tab}`}
          aria-labelledby={`tabbtn-${tab}`}
          className="tabpanel"
        >
          <Suspense fallback={<p>Loading…</p>}>
            {!result ? (
              <p>Press Solve (Ctrl+Enter) when the sheet is square.</p>
            ) : tab === 'streams' ? (
              <StreamTable result={result} units={units} onUnits={setDisplayUnits} />
            ) : tab === 'units' ? (
              <UnitResults result={result} units={units} />
            ) : tab === 'diagrams' ? (
              <Diagrams
                envelope={envelope.data}
                streams={result.streams}
                envelopeError={envelope.error ? describeError(envelope.error) : null}
              />
            ) : (
              <pre className="log">{(result.log ?? []).join('\n') || 'No log.'}</pre>
            )}
          </Suspense>
        </div>
      </section>
    </main>
  )
}

export default function Editor({ flowsheetId }: { flowsheetId: number }) {
  return (
    <ReactFlowProvider>
      <EditorInner flowsheetId={flowsheetId} />
    </ReactFlowProvider>
  )
}
