import { Handle, Position, type Node, type NodeProps } from '@xyflow/react'
import type { UnitDof } from '@rere/contract'
import type { SimulationObject } from '../api/types.ts'
import { StreamEndIcon, UnitIcon } from './icons.tsx'

export type UnitNodeData = {
  obj: SimulationObject
  typeName: string
  dof?: UnitDof
  error?: string
}
export type UnitNodeT = Node<UnitNodeData, 'unit'>
export type EndNodeData = { stream: SimulationObject; kind: 'feed' | 'product' }
export type EndNodeT = Node<EndNodeData, 'feed' | 'product'>

const STATUS_LABEL: Record<string, string> = {
  underspecified: 'under-specified',
  square: 'square',
  overspecified: 'over-specified',
  singular: 'singular',
}

function spread(i: number, n: number) {
  return `${((i + 1) * 100) / (n + 1)}%`
}

export function UnitNode({ data, selected }: NodeProps<UnitNodeT>) {
  const { obj, dof, error } = data
  const inlets = obj.ports.filter((p) => p.direction === 'inlet')
  const outlets = obj.ports.filter((p) => p.direction === 'outlet')
  const status = dof?.status ?? 'unknown'
  return (
    <div
      className={`unit-node dof-${status}${error ? ' has-error' : ''}${selected ? ' selected' : ''}`}
      data-unit={obj.componentName}
      title={dof ? `${obj.componentName}: ${dof.message}` : obj.componentName}
    >
      {inlets.map((p, i) => (
        <Handle
          key={p.id}
          id={`port-${p.id}`}
          type="target"
          position={Position.Left}
          style={{ top: spread(i, inlets.length) }}
          data-port={p.name}
          title={`${p.name}${p.streamId === null ? ' (drag out to add a feed)' : ''}`}
          aria-label={`${obj.componentName} ${p.name}`}
        />
      ))}
      <UnitIcon type={obj.objectType} />
      <div className="unit-name">{obj.componentName}</div>
      {dof && (
        <span
          className={`dof-badge ${status}`}
          aria-label={`${obj.componentName} degrees of freedom ${dof.dof}, ${STATUS_LABEL[status] ?? status}`}
        >
          {dof.status === 'square' ? '✓' : dof.dof > 0 ? `+${dof.dof}` : dof.dof}
        </span>
      )}
      {error && (
        <div className="node-error" role="alert">
          {error}
        </div>
      )}
      {outlets.map((p, i) => (
        <Handle
          key={p.id}
          id={`port-${p.id}`}
          type="source"
          position={Position.Right}
          style={{ top: spread(i, outlets.length) }}
          data-port={p.name}
          title={`${p.name}${p.streamId === null ? ' (drag out to add a product)' : ''}`}
          aria-label={`${obj.componentName} ${p.name}`}
        />
      ))}
    </div>
  )
}

export function EndNode({ data, selected }: NodeProps<EndNodeT>) {
  const { stream, kind } = data
  return (
    <div
      className={`end-node ${kind}${selected ? ' selected' : ''}`}
      data-stream={stream.componentName}
      title={`${kind === 'feed' ? 'Feed' : 'Product'} ${stream.componentName}`}
    >
      {kind === 'product' && <Handle type="target" position={Position.Left} id="in" />}
      <StreamEndIcon kind={kind} />
      <span>{stream.componentName}</span>
      {kind === 'feed' && <Handle type="source" position={Position.Right} id="out" />}
    </div>
  )
}

export const nodeTypes = { unit: UnitNode, feed: EndNode, product: EndNode }
