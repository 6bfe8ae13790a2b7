import { useRef, useState } from 'react'
import { useReactFlow } from '@xyflow/react'
import type { CatalogueEntry } from '@rere/contract'
import { UnitIcon } from './icons.tsx'

/**
 * Every unit type of the solver's catalogue. Drag an item onto the canvas (pointer events:
 * mouse, pen, touch) or press Enter/click to place it in the middle of the view.
 */
export function Palette({
  entries,
  onAdd,
}: {
  entries: CatalogueEntry[]
  onAdd: (entry: CatalogueEntry, x: number, y: number) => void
}) {
  const rf = useReactFlow()
  const [ghost, setGhost] = useState<{ entry: CatalogueEntry; x: number; y: number } | null>(null)
  const dragged = useRef(false)

  function canvasRect(): DOMRect | null {
    return document.querySelector('.react-flow')?.getBoundingClientRect() ?? null
  }

  function placeAt(entry: CatalogueEntry, clientX: number, clientY: number) {
    const p = rf.screenToFlowPosition({ x: clientX, y: clientY })
    onAdd(entry, p.x - 40, p.y - 35)
  }

  function onPointerDown(e: React.PointerEvent, entry: CatalogueEntry) {
    if (e.button !== 0) return
    const start = { x: e.clientX, y: e.clientY }
    dragged.current = false
    const move = (ev: PointerEvent) => {
      if (!dragged.current && Math.hypot(ev.clientX - start.x, ev.clientY - start.y) < 5) return
      dragged.current = true
      setGhost({ entry, x: ev.clientX, y: ev.clientY })
    }
    const up = (ev: PointerEvent) => {
      window.removeEventListener('pointermove', move)
      window.removeEventListener('pointerup', up)
      setGhost(null)
      if (!dragged.current) return
      // a click may follow this pointerup (dropped back on the item): ignore that one only
      setTimeout(() => (dragged.current = false), 0)
      const r = canvasRect()
      if (
        r &&
        ev.clientX >= r.left &&
        ev.clientX <= r.right &&
        ev.clientY >= r.top &&
        ev.clientY <= r.bottom
      )
        placeAt(entry, ev.clientX, ev.clientY)
    }
    window.addEventListener('pointermove', move)
    window.addEventListener('pointerup', up)
  }

  return (
    <nav className="palette" aria-label="Unit operations">
      <h2>Units</h2>
      <ul>
        {entries.map((entry) => (
          <li key={entry.type}>
            <button
              type="button"
              className="palette-item"
              data-type={entry.type}
              title={`${entry.description || entry.displayName} — drag onto the sheet, or press Enter`}
              aria-label={`Add ${entry.displayName}`}
              onPointerDown={(e) => onPointerDown(e, entry)}
              onClick={() => {
                if (dragged.current) {
                  dragged.current = false
                  return
                }
                const r = canvasRect()
                if (r) placeAt(entry, r.left + r.width / 2, r.top + r.height / 2)
              }}
            >
              <UnitIcon type={entry.type} size={28} />
              <span>{entry.displayName}</span>
            </button>
          </li>
        ))}
      </ul>
      <p className="hint">
        Drag from an inlet or outlet handle to empty space to add a feed or product stream; from an
        outlet to an inlet to connect units.
      </p>
      {ghost && (
        <div className="drag-ghost" style={{ left: ghost.x, top: ghost.y }} aria-hidden="true">
          <UnitIcon type={ghost.entry.type} />
        </div>
      )}
    </nav>
  )
}
