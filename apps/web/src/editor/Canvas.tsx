import { useCallback, useMemo, useRef, useState } from 'react'
import {
  Background,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type OnConnectEnd,
} from '@xyflow/react'
import type { SimulationObject } from '../api/types.ts'
import { nodeTypes, type EndNodeT, type UnitNodeT } from './nodes.tsx'
import { streamEnds, type EditorModel } from './useEditor.ts'

export type Selection = { kind: 'unit' | 'stream'; id: number }[]

const portIdOf = (handle: string | null | undefined) =>
  handle && handle.startsWith('port-') ? Number(handle.slice(5)) : null
const objIdOf = (nodeId: string) => Number(nodeId.slice(1))

export function selectionOf(nodes: Node[], edges: Edge[]): Selection {
  const out: Selection = []
  const seen = new Set<string>()
  const add = (kind: 'unit' | 'stream', id: number) => {
    if (seen.has(kind + id)) return
    seen.add(kind + id)
    out.push({ kind, id })
  }
  for (const n of nodes) if (n.selected) add(n.type === 'unit' ? 'unit' : 'stream', objIdOf(n.id))
  for (const e of edges) if (e.selected) add('stream', objIdOf(e.id))
  return out
}

export function Canvas({
  model,
  onSelection,
}: {
  model: EditorModel
  onSelection: (s: Selection) => void
}) {
  const rf = useReactFlow()
  const units = model.units.data
  const streams = model.streams.data
  const dofByUnit = useMemo(() => {
    const m = new Map<number, NonNullable<UnitNodeT['data']['dof']>>()
    for (const u of model.analysis.data?.units ?? []) m.set(u.unitId, u)
    return m
  }, [model.analysis.data])
  const dofByName = useMemo(
    () => new Map((model.analysis.data?.units ?? []).map((u) => [u.name, u])),
    [model.analysis.data],
  )
  const solveError = model.results.data?.status === 'error' ? model.results.data.error : null
  const catalogueNames = useMemo(
    () => new Map((model.catalogue.data?.units ?? []).map((e) => [e.type, e.displayName])),
    [model.catalogue.data],
  )

  // server-derived nodes and edges; local UI state (selection, drag position, size) merged in
  const base = useMemo(() => {
    const nodes: Node[] = []
    const edges: Edge[] = []
    const portUnit = new Map<number, number>()
    for (const u of units ?? []) {
      for (const p of u.ports) portUnit.set(p.id, u.id)
      const errUnit = solveError?.details?.unitId
      const errName = solveError?.details?.unitName
      const data: UnitNodeT['data'] = {
        obj: u,
        typeName: catalogueNames.get(u.objectType) ?? u.objectType,
        dof: dofByUnit.get(u.id) ?? dofByName.get(u.componentName),
        error:
          solveError && (errUnit === u.id || errName === u.componentName)
            ? solveError.message
            : undefined,
      }
      nodes.push({ id: `u${u.id}`, type: 'unit', position: { x: u.x, y: u.y }, data })
    }
    for (const s of streams ?? []) {
      const { source, destination } = streamEnds(s)
      const srcUnit =
        source !== null ? (s.connections?.source?.unitId ?? portUnit.get(source)) : undefined
      const dstUnit =
        destination !== null
          ? (s.connections?.destination?.unitId ?? portUnit.get(destination))
          : undefined
      let src = srcUnit !== undefined ? `u${srcUnit}` : null
      let dst = dstUnit !== undefined ? `u${dstUnit}` : null
      if (!src) {
        const n: EndNodeT = {
          id: `f${s.id}`,
          type: 'feed',
          position: { x: s.x, y: s.y },
          data: { stream: s, kind: 'feed' },
        }
        nodes.push(n)
        src = n.id
      }
      if (!dst) {
        const n: EndNodeT = {
          id: `p${s.id}`,
          type: 'product',
          position: { x: src.startsWith('f') ? s.x + 200 : s.x, y: s.y },
          data: { stream: s, kind: 'product' },
        }
        nodes.push(n)
        dst = n.id
      }
      edges.push({
        id: `s${s.id}`,
        source: src,
        target: dst,
        sourceHandle: srcUnit !== undefined ? `port-${source}` : 'out',
        targetHandle: dstUnit !== undefined ? `port-${destination}` : 'in',
        label: s.componentName,
        type: 'smoothstep',
        markerEnd: { type: MarkerType.ArrowClosed },
        ariaLabel: `Stream ${s.componentName}`,
      })
    }
    return { nodes, edges }
  }, [units, streams, dofByUnit, dofByName, solveError, catalogueNames])

  const [localN, setLocalN] = useState<Record<string, Partial<Node>>>({})
  const [localE, setLocalE] = useState<Record<string, Partial<Edge>>>({})
  const nodes = useMemo(
    () => base.nodes.map((n) => (localN[n.id] ? { ...n, ...localN[n.id] } : n)),
    [base.nodes, localN],
  )
  const edges = useMemo(
    () => base.edges.map((e) => (localE[e.id] ? { ...e, ...localE[e.id] } : e)),
    [base.edges, localE],
  )
  const dragging = useRef<Map<string, { x: number; y: number }> | null>(null)

  const commitMoves = useCallback(
    (moved: Node[]) => {
      const list: Parameters<EditorModel['actions']['moveObjects']>[0] = []
      for (const n of moved) {
        const b = base.nodes.find((x) => x.id === n.id)
        if (!b) continue
        const dx =
          n.type === 'product' && b.position.x !== (b.data as EndNodeT['data']).stream.x ? 200 : 0
        list.push({
          id: objIdOf(n.id),
          from: { x: b.position.x - dx, y: b.position.y },
          to: { x: n.position.x - dx, y: n.position.y },
        })
      }
      model.actions.moveObjects(list)
      setLocalN((prev) => {
        const next = { ...prev }
        for (const n of moved) if (next[n.id]) next[n.id] = { ...next[n.id], position: undefined }
        for (const id of Object.keys(next))
          if (next[id].position === undefined) delete next[id].position
        return next
      })
    },
    [base.nodes, model.actions],
  )

  // Changes are folded into the previous local state (not into a render's `nodes`): React Flow
  // may send several batches before the next render, and losing a `measured` would hide the
  // node and drop its handle bounds.
  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const keyboardMoved: { id: string; position: { x: number; y: number } }[] = []
      for (const c of changes)
        if (c.type === 'position' && c.position && c.dragging === false && !dragging.current)
          keyboardMoved.push({ id: c.id, position: c.position })
      setLocalN((prev) => {
        const m = { ...prev }
        for (const c of changes) {
          if (c.type === 'dimensions') {
            if (c.dimensions) m[c.id] = { ...m[c.id], measured: c.dimensions }
          } else if (c.type === 'position') {
            if (c.position) m[c.id] = { ...m[c.id], position: c.position }
            m[c.id] = { ...m[c.id], dragging: c.dragging }
          } else if (c.type === 'select') {
            m[c.id] = { ...m[c.id], selected: c.selected }
          } else if (c.type === 'remove') {
            delete m[c.id]
          }
        }
        return m
      })
      if (keyboardMoved.length) {
        const moved = keyboardMoved.map((k) => ({
          ...base.nodes.find((n) => n.id === k.id)!,
          position: k.position,
        }))
        queueMicrotask(() => commitMoves(moved.filter((n) => n.id)))
      }
    },
    [base.nodes, commitMoves],
  )

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setLocalE((prev) => {
      const m = { ...prev }
      for (const c of changes) {
        if (c.type === 'select') m[c.id] = { ...m[c.id], selected: c.selected }
        else if (c.type === 'remove') delete m[c.id]
      }
      return m
    })
  }, [])

  // React Flow needs a stable handler; the parent hears only real changes
  const lastSelection = useRef('')
  const onSelectionChange = useCallback(
    ({ nodes: ns, edges: es }: { nodes: Node[]; edges: Edge[] }) => {
      const sel = selectionOf(ns, es)
      const key = JSON.stringify(sel)
      if (key === lastSelection.current) return
      lastSelection.current = key
      onSelection(sel)
    },
    [onSelection],
  )

  const onConnect = useCallback(
    (c: Connection) => {
      const a = model.actions
      const srcPort = portIdOf(c.sourceHandle)
      const dstPort = portIdOf(c.targetHandle)
      const allStreams = streams ?? []
      const streamAt = (port: number | null) =>
        port === null
          ? undefined
          : allStreams.find((s) => {
              const e = streamEnds(s)
              return e.source === port || e.destination === port
            })
      if (c.source.startsWith('f') && dstPort !== null) {
        if (streamAt(dstPort))
          return model.setError('That inlet already has a stream: delete it first.')
        void a.setStreamEnds(objIdOf(c.source), { destination: dstPort })
        return
      }
      if (c.target.startsWith('p') && srcPort !== null) {
        if (streamAt(srcPort))
          return model.setError('That outlet already has a stream: delete it first.')
        void a.setStreamEnds(objIdOf(c.target), { source: srcPort })
        return
      }
      if (srcPort === null || dstPort === null) return
      const outStream = streamAt(srcPort)
      const inStream = streamAt(dstPort)
      if (outStream && inStream)
        return model.setError('Both ports already have streams: delete one of them first.')
      if (outStream) return void a.setStreamEnds(outStream.id, { destination: dstPort })
      if (inStream) return void a.setStreamEnds(inStream.id, { source: srcPort })
      const s = rf.getInternalNode(c.source)
      const pos = s
        ? { x: s.internals.positionAbsolute.x + 120, y: s.internals.positionAbsolute.y }
        : { x: 0, y: 0 }
      void a.addStream(srcPort, dstPort, pos.x, pos.y)
    },
    [model, streams, rf],
  )

  /** A connection dropped on empty canvas: a feed (from an inlet) or a product (from an outlet). */
  const onConnectEnd: OnConnectEnd = useCallback(
    (event, state) => {
      if (state.isValid || !state.fromHandle || !state.fromNode) return
      if (state.toHandle) return
      const port = portIdOf(state.fromHandle.id)
      if (port === null) return
      const unit = (units ?? []).find((u) => u.ports.some((p) => p.id === port))
      const p = unit?.ports.find((x) => x.id === port)
      if (!p) return
      if (p.streamId !== null)
        return model.setError(`${unit!.componentName} ${p.name} already has a stream.`)
      const pt = 'changedTouches' in event ? event.changedTouches[0] : event
      const flow = rf.screenToFlowPosition({ x: pt.clientX, y: pt.clientY })
      if (p.direction === 'inlet')
        void model.actions.addStream(null, port, flow.x - 40, flow.y - 14)
      else void model.actions.addStream(port, null, flow.x, flow.y - 14)
    },
    [units, model, rf],
  )

  const onDelete = useCallback(
    ({ nodes: ns, edges: es }: { nodes: Node[]; edges: Edge[] }) => {
      const unitIds = ns.filter((n) => n.type === 'unit').map((n) => objIdOf(n.id))
      const streamIds = [
        ...ns.filter((n) => n.type !== 'unit').map((n) => objIdOf(n.id)),
        ...es.filter((e) => e.selected).map((e) => objIdOf(e.id)),
      ]
      lastSelection.current = '[]'
      onSelection([])
      void model.actions.deleteObjects(unitIds, streamIds)
    },
    [model.actions, onSelection],
  )

  return (
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      onConnectEnd={onConnectEnd}
      onDelete={onDelete}
      onSelectionChange={onSelectionChange}
      onNodeDragStart={(_, __, ns) => {
        dragging.current = new Map(ns.map((n) => [n.id, n.position]))
      }}
      onNodeDragStop={(_, __, ns) => {
        dragging.current = null
        commitMoves(ns)
      }}
      isValidConnection={(c) => c.source !== c.target}
      deleteKeyCode={['Delete', 'Backspace']}
      multiSelectionKeyCode={['Shift', 'Control', 'Meta']}
      fitView
      fitViewOptions={{ maxZoom: 1.2, padding: 0.3 }}
      minZoom={0.1}
      proOptions={{ hideAttribution: true }}
      aria-label="Flowsheet canvas"
    >
      <Background gap={20} />
      <Controls aria-label="Zoom controls" />
      <MiniMap
        pannable
        zoomable
        ariaLabel="Minimap"
        nodeColor={(n) => (n.type === 'unit' ? '#57606a' : '#afb8c1')}
        nodeStrokeWidth={2}
      />
    </ReactFlow>
  )
}

export type { SimulationObject }
