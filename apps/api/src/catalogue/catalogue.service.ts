/**
 * The solver's unit catalogue (cached: it changes only with the solver version) and the
 * compounds Rere knows. Units are created from catalogue entries; streams carry STREAM_PROPERTIES.
 */
import { AppError, type Catalogue, type CatalogueEntry, type Solver } from '@rere/contract'
import { defaultUnitOf } from '../properties/units.ts'

export interface PropertyTemplate {
  key: string
  displayName: string
  unit: string
  quantity: string
  /** default value in `unit`, or null (computed) */
  value: number | null
  fixed: boolean
}

/** State properties of every material stream (a stream's state lives on the stream object). */
export const STREAM_PROPERTIES: PropertyTemplate[] = [
  ['temperature', 'Temperature', 'temperature'],
  ['pressure', 'Pressure', 'pressure'],
  ['flow_mol', 'Molar flow', 'molar_flow'],
  ['vapor_frac', 'Vapour fraction', 'dimensionless'],
  ['enth_mol', 'Molar enthalpy', 'molar_enthalpy'],
].map(([key, displayName, quantity]) => ({
  key,
  displayName,
  quantity,
  unit: defaultUnitOf(quantity),
  value: null,
  fixed: false,
}))

export const COMPOUNDS = [{ id: 'water', name: 'Water', formula: 'H2O', molarMass: 0.018015268 }]
export const PACKAGES = ['helmholtz', 'if97'] as const

/** 'h2o' (Ahuora's spelling) -> 'water'. */
export function normaliseCompound(c: string): string {
  const l = c.toLowerCase()
  return l === 'h2o' ? 'water' : l
}

export class CatalogueService {
  #cached: Promise<Catalogue> | undefined
  constructor(private readonly solver: Solver) {}

  get(requestId?: string): Promise<Catalogue> {
    if (!this.#cached) {
      const p = this.solver.catalogue(requestId === undefined ? {} : { requestId })
      this.#cached = p
      p.catch(() => {
        if (this.#cached === p) this.#cached = undefined
      })
    }
    return this.#cached
  }

  async entry(type: string, requestId?: string): Promise<CatalogueEntry> {
    const cat = await this.get(requestId)
    const e = cat.units.find((u) => u.type === type)
    if (!e) {
      throw new AppError(
        'API_VALIDATION',
        `Unknown objectType "${type}"; expected "stream" or one of: ${cat.units.map((u) => u.type).join(', ')}`,
        { details: { field: 'objectType', value: type } },
      )
    }
    return e
  }

  async entryOrUndefined(type: string): Promise<CatalogueEntry | undefined> {
    const cat = await this.get()
    return cat.units.find((u) => u.type === type)
  }
}

/**
 * The ports of a unit built from `entry` with `args`: `num_inlets` / `num_outlets` expand
 * numbered ports (`inlet_1` ... `inlet_N`, `outlet_1` ...).
 */
export function portsFor(
  entry: CatalogueEntry,
  args: Record<string, unknown>,
): { name: string; direction: 'inlet' | 'outlet' }[] {
  const out: { name: string; direction: 'inlet' | 'outlet' }[] = []
  const numbered = (dir: 'inlet' | 'outlet', n: unknown) => {
    const existing = entry.ports.filter(
      (p) => p.direction === dir && new RegExp(`^${dir}_\\d+$`).test(p.name),
    )
    if (typeof n === 'number' && existing.length > 0) {
      for (let i = 1; i <= n; i++) out.push({ name: `${dir}_${i}`, direction: dir })
      return true
    }
    return false
  }
  const inletsDone = numbered('inlet', args.num_inlets)
  const outletsDone = numbered('outlet', args.num_outlets)
  for (const p of entry.ports) {
    if (inletsDone && p.direction === 'inlet' && /^inlet_\d+$/.test(p.name)) continue
    if (outletsDone && p.direction === 'outlet' && /^outlet_\d+$/.test(p.name)) continue
    out.push({ name: p.name, direction: p.direction })
  }
  return out
}
