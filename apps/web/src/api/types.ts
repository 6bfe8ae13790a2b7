// Wire types of the Rere HTTP API as the editor reads them (see docs/web.md and the API contract).
import type { AnalyzeReply, Catalogue, Envelope } from '@rere/contract'

export type { AnalyzeReply, Catalogue, Envelope }

export interface Me {
  id: number
  email: string
  displayName: string
  authMode: 'local' | 'proxy'
  via: 'local' | 'proxy' | 'token'
}

export interface Flowsheet {
  id: number
  name: string
  version: number
  createdAt: string
  updatedAt: string
  propertyPackage?: { id: number; name: string; compounds: string[] } | null
  latestSolve?: { id: number; status: string; createdAt: string; timing: unknown } | null
}

export interface PropertyInfo {
  id: number
  key: string
  displayName: string
  unit: string
  value: number | null
  valueSI: number | null
  unitSI: string
  quantity?: string | null
  fixed: boolean
  guess: boolean
  computed?: number | null
  constraint?: string | null
  controlled?: number | null
}

export interface Port {
  id: number
  name: string
  direction: 'inlet' | 'outlet'
  streamId: number | null
}

export interface SimulationObject {
  id: number
  flowsheetOwner: number
  objectType: string
  componentName: string
  x: number
  y: number
  /** configuration args of a unit (num_inlets, num_outlets, delta_temperature, ...) */
  args?: Record<string, number | string | boolean>
  flowsheetVersion?: number
  ports: Port[]
  connections?: {
    source: { unitId: number; portId: number } | null
    destination: { unitId: number; portId: number } | null
  }
  properties: { id: number; contained_properties: PropertyInfo[] }
}

export interface StreamResult {
  streamId: number
  name: string
  temperature: number
  pressure: number
  flowMol: number
  flowMass: number
  enthMol: number
  entrMol: number
  vaporFrac: number | null
  phase: string
  densMass?: number
}

export interface UnitResultRow {
  unitId: number
  name: string
  type: string
  values: Record<string, number>
  unitsSI?: Record<string, string>
}

export interface SolveResult {
  id: number
  flowsheetId: number
  status: 'success' | 'error'
  error: { code: string; message: string; details?: Record<string, unknown> } | null
  timing: { totalMs: number; solverMs?: number; phases?: Record<string, number> }
  streams: StreamResult[]
  units: UnitResultRow[]
  properties: { id: number; key: string; valueSI: number | null; unitSI: string }[]
  log?: string[]
}
