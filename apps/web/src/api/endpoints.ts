// One function per API route the editor uses (paths as in the API contract, trailing slashes kept).
import { api } from './client.ts'
import type {
  AnalyzeReply,
  Catalogue,
  Envelope,
  Flowsheet,
  Me,
  PropertyInfo,
  SimulationObject,
  SolveResult,
} from './types.ts'

export const getMe = () => api<Me>('/api/me/')
export const listFlowsheets = () => api<Flowsheet[]>('/api/flowsheets/')
export const getFlowsheet = (id: number) =>
  api<Flowsheet>(`/api/flowsheets/${id}/`, { flowsheetId: id })
export const createFlowsheet = (name: string) =>
  api<Flowsheet>('/api/flowsheets/', { method: 'POST', body: { name } })
export const renameFlowsheet = (id: number, name: string) =>
  api<Flowsheet>(`/api/flowsheets/${id}/`, { method: 'PATCH', body: { name }, flowsheetId: id })
export const deleteFlowsheet = (id: number) =>
  api<null>(`/api/flowsheets/${id}/`, { method: 'DELETE' })
export const duplicateFlowsheet = (id: number, name?: string) =>
  api<Flowsheet>(`/api/flowsheets/${id}/duplicate/`, { method: 'POST', body: name ? { name } : {} })
export const exportFlowsheet = (id: number, format: 'rere' | 'ahuora') =>
  api<unknown>(`/api/flowsheets/${id}/export/?format=${format}`)
export const importFlowsheet = (format: 'rere' | 'ahuora', document: unknown, name?: string) =>
  api<Flowsheet>('/api/flowsheets/import/', {
    method: 'POST',
    body: name ? { format, document, name } : { format, document },
  })
export const getAnalysis = (id: number) => api<AnalyzeReply>(`/api/flowsheets/${id}/analysis/`)
export const getResults = (id: number) =>
  api<SolveResult>(`/api/flowsheets/${id}/results/`, { quiet: [404] })
export const listUnits = (id: number) =>
  api<SimulationObject[]>(`/api/unitops/unitops/?flowsheetOwner=${id}`)
export const listStreams = (id: number) =>
  api<SimulationObject[]>(`/api/unitops/materialstreams/?flowsheetOwner=${id}`)
export const getCatalogue = () => api<Catalogue>('/api/solver/catalogue/')
export const getEnvelope = (pkg = 'helmholtz', compound = 'water') =>
  api<Envelope>(`/api/solver/envelope/?package=${pkg}&compound=${compound}`)

export interface CreateObject {
  flowsheetOwner: number
  objectType: string
  componentName?: string
  x?: number
  y?: number
  args?: Record<string, unknown>
  source?: number | null
  destination?: number | null
}
export const createObject = (fs: number, body: CreateObject) =>
  api<SimulationObject>('/api/unitops/simulationobjects/', {
    method: 'POST',
    body,
    flowsheetId: fs,
  })
export const patchObject = (
  fs: number,
  id: number,
  body: Partial<Pick<SimulationObject, 'componentName' | 'x' | 'y' | 'args'>> & {
    source?: number | null
    destination?: number | null
  },
) =>
  api<SimulationObject>(`/api/unitops/simulationobjects/${id}/`, {
    method: 'PATCH',
    body,
    flowsheetId: fs,
  })
export const deleteObject = (fs: number, id: number) =>
  api<null>(`/api/unitops/simulationobjects/${id}/`, { method: 'DELETE', flowsheetId: fs })
export const patchProperty = (
  fs: number,
  id: number,
  body: { value?: number | null; unit?: string; fixed?: boolean; guess?: boolean },
) => api<PropertyInfo>(`/api/core/propertyinfo/${id}/`, { method: 'PATCH', body, flowsheetId: fs })
export const solve = (fs: number) =>
  api<SolveResult>('/api/solve/idaes/', {
    method: 'POST',
    body: { flowsheet_id: fs },
    quiet: [422],
  })
