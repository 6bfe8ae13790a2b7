/**
 * A scripted Solver for the domain tests: a small catalogue (pump, heater, mixer) and a solve that
 * answers every property id of the document (its value, or a made-up computed value) and a full
 * state for every port, so that the API's orchestration can be checked exactly. A unit named
 * "Broken" makes the solve fail with a unit-specific error (422).
 */
import {
  AppError,
  type Catalogue,
  type PortState,
  type UnitResult,
  type Solver,
  type SolveReply,
} from '@rere/contract'

const prop = (
  key: string,
  displayName: string,
  unit: string,
  quantity: string,
  def: number | null,
  fixed: boolean,
) => ({
  key,
  displayName,
  unit,
  default: def,
  fixed,
  quantity,
})

export const DOMAIN_CATALOGUE: Catalogue = {
  units: [
    {
      type: 'pump',
      displayName: 'Pump',
      description: 'pump',
      ports: [
        { name: 'inlet', direction: 'inlet', properties: [] },
        { name: 'outlet', direction: 'outlet', properties: [] },
      ],
      properties: [
        prop('efficiency_pump', 'Efficiency', 'dimensionless', 'dimensionless', 0.75, true),
        prop('work_mechanical', 'Mechanical work', 'kW', 'power', null, false),
      ],
    },
    {
      type: 'heater',
      displayName: 'Heater',
      description: 'heater',
      ports: [
        { name: 'inlet', direction: 'inlet', properties: [] },
        { name: 'outlet', direction: 'outlet', properties: [] },
      ],
      properties: [prop('heat_duty', 'Heat duty', 'kW', 'power', null, false)],
    },
    {
      type: 'stream',
      displayName: 'Stream',
      description: 'material stream',
      ports: [],
      properties: [
        prop('flow_mol', 'Molar flow', 'mol/s', 'molar_flow', 1, true),
        prop('temperature', 'Temperature', 'degC', 'temperature', 25, true),
        prop('pressure', 'Pressure', 'kPa', 'pressure', 101.325, true),
        prop('enth_mol', 'Molar enthalpy', 'J/mol', 'molar_enthalpy', null, false),
        prop('vapor_frac', 'Vapour fraction', 'dimensionless', 'dimensionless', null, false),
      ],
    },
    {
      type: 'mixer',
      displayName: 'Mixer',
      description: 'mixer',
      args: { num_inlets: 2 },
      ports: [
        { name: 'inlet_1', direction: 'inlet', properties: [] },
        { name: 'inlet_2', direction: 'inlet', properties: [] },
        { name: 'outlet', direction: 'outlet', properties: [] },
      ],
      properties: [],
    },
  ],
  propertyPackages: [{ name: 'helmholtz', compounds: ['water'], version: 'test-1' }],
}

export interface DomainSolver extends Solver {
  solves: number
  lastDoc: unknown
  delayMs: number
}

interface Doc {
  unit_models: {
    id: number
    name: string
    type: string
    properties: Record<string, { data: { id: number; value?: number }[]; unit: string | null }>
    ports: Record<
      string,
      { id: number; properties: Record<string, { data: { id: number; value?: number }[] }> }
    >
  }[]
  arcs: { id: number; source: number; destination: number }[]
}

export function createDomainSolver(): DomainSolver {
  const s: DomainSolver = {
    solves: 0,
    lastDoc: undefined,
    delayMs: 0,
    async solve(raw) {
      s.solves++
      s.lastDoc = raw
      if (s.delayMs) await new Promise((r) => setTimeout(r, s.delayMs * (0.5 + Math.random() / 2)))
      const doc = raw as Doc
      if (!doc || !Array.isArray(doc.unit_models))
        throw new AppError('FLOWSHEET_INVALID', 'bad document', {
          details: { path: 'unit_models' },
        })
      const broken = doc.unit_models.find((u) => u.name === 'Broken')
      const base: SolveReply = {
        status: 'success',
        error: null,
        timing: { totalMs: 0.25, phases: { newton: 0.2 } },
        log: ['solved'],
        flowsheet: { id: 0, properties: [] },
        versions: { solver: 'test-solver 1', propertyPackages: { helmholtz: 'test-1' } },
      }
      if (broken) {
        return {
          ...base,
          status: 'error',
          error: {
            code: 'FLOWSHEET_UNDERSPECIFIED',
            message: 'Broken needs one more specification',
            details: { unitId: broken.id, unitName: broken.name, variables: ['efficiency_pump'] },
          },
        }
      }
      const props: SolveReply['flowsheet']['properties'] = []
      const ports: PortState[] = []
      for (const u of doc.unit_models) {
        for (const [k, p] of Object.entries(u.properties)) {
          for (const d of p.data)
            props.push({ id: d.id, name: `${u.name}.${k}`, value: d.value ?? 1234.5, unit: 'W' })
        }
        for (const [name, port] of Object.entries(u.ports)) {
          ports.push({
            portId: port.id,
            unitId: u.id,
            unitName: u.name,
            port: name,
            temperature: 353.15,
            pressure: name.startsWith('outlet') ? 200000 : 100000,
            flowMol: 1000,
            flowMass: 18.015268,
            enthMol: 6030.5,
            entrMol: 19.1,
            vaporFrac: 0,
            phase: 'liquid',
            densMass: 971.8,
          })
        }
      }
      return {
        ...base,
        flowsheet: { id: 0, properties: props },
        ports,
        unitResults: doc.unit_models.map((u): UnitResult => ({
          unitId: u.id,
          name: u.name,
          type: u.type,
          values:
            u.type === 'pump'
              ? { work_mechanical: 3707.5, work_fluid: 1853.8 }
              : { heat_duty: 1000 },
          units: u.type === 'pump' ? { work_mechanical: 'W', work_fluid: 'W' } : { heat_duty: 'W' },
        })),
      }
    },
    async buildState() {
      return []
    },
    async analyze(raw) {
      const doc = raw as Doc
      return {
        status: 'square',
        dof: 0,
        message: 'square',
        units: doc.unit_models.map((u) => ({
          unitId: u.id,
          name: u.name,
          type: u.type,
          dof: 0,
          status: 'square',
          message: 'ok',
          variables: [],
        })),
      }
    },
    async catalogue() {
      return DOMAIN_CATALOGUE
    },
    async envelope(pkg, compound) {
      return {
        package: pkg,
        compound: compound ?? 'water',
        critical: { T: 647.096, P: 22.064e6, rho: 322, h: 0, s: 0 },
        points: [],
      }
    },
    async close() {},
  }
  return s
}
