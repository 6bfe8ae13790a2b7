/**
 * The unit-operation catalogue: every unit type Rere solves, with its ports, properties (IDAES
 * names), configuration args, default display units, SI reply units and defaults.
 *
 * - `parseFlowsheet` accepts exactly the ports and property keys listed here.
 * - the reply builder names results after IDAES/Pyomo components (`replyName`).
 * - `getCatalogue()` serves it to the API and the web editor (`GET /catalogue`).
 *
 * Names follow IDAES (`efficiency_pump`, `deltaP`, `heat_duty`, `control_volume.properties_in`)
 * and the Ahuora service's adapters (`heat_duty_inverted`, the steam `header`).
 */

/** One property of a unit or a port. */
export interface PropertyDef {
  /** IDAES name as it appears in documents ('pressure', 'efficiency_pump', 'hot_side.deltaP') */
  key: string
  displayName: string
  /** quantity kind (see @rere/units QUANTITY_KINDS) */
  kind: string
  /** the unit the editor shows by default */
  unit: string
  /** SI unit of the reply, pint spelling as IDAES prints the variable ('kg/m/s**2', 'Pa') */
  unitSI: string
  /** default value in `unit`, or null (computed by default) */
  default: number | null
  /** a specification by default (the editor fixes it) */
  fixed: boolean
  /**
   * Pyomo component of the value relative to the unit block (unit properties) or to the port's
   * state block (port properties); `{t}` is the time index, `{i}` the discrete index.
   */
  replyName: string
  /** discrete index the values carry: an outlet name, a compound, or [phase, compound] */
  indexedBy?: 'outlet' | 'compound' | 'phase_compound'
  /** the value must be >= 0 when given (flows, areas, absolute temperatures, pressures) */
  nonNegative?: boolean
  /** allowed range of a dimensionless value (efficiencies, fractions) */
  range?: [number, number]
}

export interface PortDef {
  name: string
  direction: 'inlet' | 'outlet'
  /** Pyomo state block of the port relative to the unit, e.g. 'control_volume.properties_in' */
  stateBlock: string
  /** heat exchangers: which side's package ('hot_side' | 'cold_side') */
  side?: 'hot_side' | 'cold_side'
}

export interface UnitTypeDef {
  type: string
  displayName: string
  description: string
  /** configuration args the document may carry, with their defaults (null: none) */
  args: Record<string, number | string | boolean | null>
  /** ports for the given (normalised) args */
  ports: (args: Record<string, unknown>) => PortDef[]
  properties: PropertyDef[]
}

const t = '[{t}]'

function p(
  key: string,
  displayName: string,
  kind: string,
  unit: string,
  unitSI: string,
  replyName: string,
  extra: Partial<PropertyDef> = {},
): PropertyDef {
  return { key, displayName, kind, unit, unitSI, default: null, fixed: false, replyName, ...extra }
}

/** Properties of a material port (a state block of the water property package). */
export const STREAM_PROPERTIES: PropertyDef[] = [
  p('flow_mol', 'Molar flow', 'molar_flow', 'mol/s', 'mol/s', 'flow_mol', { nonNegative: true }),
  p('flow_mass', 'Mass flow', 'mass_flow', 'kg/s', 'kg/s', 'flow_mass', { nonNegative: true }),
  p('flow_vol', 'Volumetric flow', 'volumetric_flow', 'm**3/s', 'm**3/s', 'flow_vol', {
    nonNegative: true,
  }),
  p('temperature', 'Temperature', 'temperature', 'degC', 'K', 'temperature', { nonNegative: true }),
  p('pressure', 'Pressure', 'pressure', 'kPa', 'Pa', 'pressure', { nonNegative: true }),
  p('enth_mol', 'Molar enthalpy', 'molar_enthalpy', 'J/mol', 'J/mol', 'enth_mol'),
  p('enth_mass', 'Specific enthalpy', 'mass_enthalpy', 'kJ/kg', 'J/kg', 'enth_mass'),
  p('entr_mol', 'Molar entropy', 'molar_entropy', 'J/K/mol', 'J/K/mol', 'entr_mol'),
  p('entr_mass', 'Specific entropy', 'mass_entropy', 'kJ/K/kg', 'J/K/kg', 'entr_mass'),
  p(
    'vapor_frac',
    'Vapour fraction',
    'dimensionless',
    'dimensionless',
    'dimensionless',
    'vapor_frac',
    {
      range: [0, 1],
    },
  ),
  p('total_energy_flow', 'Energy flow', 'power', 'kW', 'J/s', 'total_energy_flow'),
  p('dens_mass', 'Density', 'mass_density', 'kg/m**3', 'kg/m**3', 'dens_mass', {
    nonNegative: true,
  }),
  p(
    'mole_frac_comp',
    'Mole fraction',
    'dimensionless',
    'dimensionless',
    'dimensionless',
    'mole_frac_comp[{i}]',
    {
      indexedBy: 'compound',
      range: [0, 1],
    },
  ),
  p(
    'mole_frac_phase_comp',
    'Phase mole fraction',
    'dimensionless',
    'dimensionless',
    'dimensionless',
    'mole_frac_phase_comp[{i}]',
    { indexedBy: 'phase_compound', range: [0, 1] },
  ),
]

/** Feed defaults the editor fills in for an unconnected inlet: 25 degC, 101.325 kPa, 1 mol/s. */
export const FEED_DEFAULTS: Record<string, { value: number; unit: string }> = {
  temperature: { value: 25, unit: 'degC' },
  pressure: { value: 101.325, unit: 'kPa' },
  flow_mol: { value: 1, unit: 'mol/s' },
}

const deltaP = (reply = `control_volume.deltaP${t}`) =>
  p('deltaP', 'Pressure change', 'pressure_difference', 'kPa', 'kg/m/s**2', reply)
const ratioP = p(
  'ratioP',
  'Pressure ratio',
  'dimensionless',
  'dimensionless',
  'dimensionless',
  `ratioP${t}`,
  {
    range: [0, Number.POSITIVE_INFINITY],
  },
)
const workMech = p(
  'work_mechanical',
  'Mechanical work',
  'power',
  'kW',
  'kg*m**2/s**3',
  `control_volume.work${t}`,
)
const effIsen = (def: number) =>
  p(
    'efficiency_isentropic',
    'Isentropic efficiency',
    'dimensionless',
    'dimensionless',
    'dimensionless',
    `efficiency_isentropic${t}`,
    {
      default: def,
      fixed: true,
      range: [0, 1],
    },
  )
const effMotor = p(
  'efficiency_motor',
  'Motor efficiency',
  'dimensionless',
  'dimensionless',
  'dimensionless',
  `efficiency_motor${t}`,
  {
    default: 1,
    range: [0, 1],
  },
)
const workIsen = p(
  'work_isentropic',
  'Isentropic work',
  'power',
  'kW',
  'kg*m**2/s**3',
  `work_isentropic${t}`,
)
const heatDuty = p(
  'heat_duty',
  'Heat duty',
  'power',
  'kW',
  'kg*m**2/s**3',
  `control_volume.heat${t}`,
)
const heatDutyInv = p(
  'heat_duty_inverted',
  'Heat duty (removed)',
  'power',
  'kW',
  'kg*m**2/s**3',
  `heat_duty_inverted${t}`,
)
const deltaPInv = p(
  'deltaP_inverted',
  'Pressure drop',
  'pressure_difference',
  'kPa',
  'kg/m/s**2',
  `deltaP_inverted${t}`,
)

const inOut = (): PortDef[] => [
  { name: 'inlet', direction: 'inlet', stateBlock: 'control_volume.properties_in' },
  { name: 'outlet', direction: 'outlet', stateBlock: 'control_volume.properties_out' },
]

function count(args: Record<string, unknown>, key: string, dflt: number): number {
  const v = args[key]
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : dflt
}

const pressureChangerArgs = { property_package: -1, power_property_package: null, dynamic: false }

export const UNIT_TYPES: UnitTypeDef[] = [
  {
    type: 'pump',
    displayName: 'Pump',
    description: 'Raises the pressure of a liquid. Fluid work uses the outlet volumetric flow.',
    args: pressureChangerArgs,
    ports: inOut,
    properties: [
      p(
        'efficiency_pump',
        'Pump efficiency',
        'dimensionless',
        'dimensionless',
        'dimensionless',
        `efficiency_pump${t}`,
        {
          default: 0.75,
          fixed: true,
          range: [0, 1],
        },
      ),
      deltaP(),
      ratioP,
      workMech,
      p('work_fluid', 'Fluid work', 'power', 'kW', 'kg*m**2/s**3', `work_fluid${t}`),
      effMotor,
    ],
  },
  {
    type: 'compressor',
    displayName: 'Compressor',
    description:
      'Isentropic compressor: work = (h_isentropic - h_in) / efficiency, positive into the fluid.',
    args: pressureChangerArgs,
    ports: inOut,
    properties: [effIsen(0.75), deltaP(), ratioP, workMech, workIsen, effMotor],
  },
  {
    type: 'turbine',
    displayName: 'Turbine',
    description: 'Isentropic expander: work is negative (out of the fluid).',
    args: pressureChangerArgs,
    ports: inOut,
    properties: [effIsen(0.85), deltaP(), ratioP, workMech, workIsen, effMotor],
  },
  {
    type: 'valve',
    displayName: 'Valve',
    description: 'Isenthalpic pressure reduction (outlet pressure or deltaP).',
    args: {
      property_package: -1,
      enable_coefficients: false,
      valve_function: null,
      dynamic: false,
    },
    ports: inOut,
    properties: [deltaP(), ratioP],
  },
  {
    type: 'heater',
    displayName: 'Heater',
    description:
      'Adds heat (heat_duty > 0), or meets an outlet specification; optional pressure change.',
    args: { property_package: -1, has_pressure_change: true, dynamic: false, has_holdup: false },
    ports: inOut,
    properties: [heatDuty, deltaP(), heatDutyInv, deltaPInv],
  },
  {
    type: 'cooler',
    displayName: 'Cooler',
    description: 'Removes heat (heat_duty < 0, heat_duty_inverted > 0); optional pressure change.',
    args: { property_package: -1, has_pressure_change: true, dynamic: false },
    ports: inOut,
    properties: [heatDuty, deltaP(), heatDutyInv, deltaPInv],
  },
  {
    type: 'heatExchanger',
    displayName: 'Heat exchanger',
    description:
      'Counter-current two-stream exchanger: Q = U A dT_mean (Underwood mean as the Ahuora service; args.delta_temperature = "lmtd" for the exact log mean).',
    args: { hot_side: null, cold_side: null, dynamic: false, delta_temperature: 'underwood' },
    ports: () => [
      {
        name: 'hot_side_inlet',
        direction: 'inlet',
        stateBlock: 'hot_side.properties_in',
        side: 'hot_side',
      },
      {
        name: 'hot_side_outlet',
        direction: 'outlet',
        stateBlock: 'hot_side.properties_out',
        side: 'hot_side',
      },
      {
        name: 'cold_side_inlet',
        direction: 'inlet',
        stateBlock: 'cold_side.properties_in',
        side: 'cold_side',
      },
      {
        name: 'cold_side_outlet',
        direction: 'outlet',
        stateBlock: 'cold_side.properties_out',
        side: 'cold_side',
      },
    ],
    properties: [
      p('area', 'Area', 'area', 'm**2', 'm**2', 'area', { nonNegative: true }),
      p(
        'overall_heat_transfer_coefficient',
        'Overall heat-transfer coefficient',
        'heat_transfer_coefficient',
        'W/(m**2*K)',
        'kg/K/s**3',
        `overall_heat_transfer_coefficient${t}`,
        { nonNegative: true },
      ),
      p('heat_duty', 'Heat duty', 'power', 'kW', 'kg*m**2/s**3', `cold_side.heat${t}`),
      p(
        'delta_temperature_in',
        'Hot-inlet temperature difference',
        'temperature_difference',
        'K',
        'K',
        `delta_temperature_in${t}`,
      ),
      p(
        'delta_temperature_out',
        'Hot-outlet temperature difference',
        'temperature_difference',
        'K',
        'K',
        `delta_temperature_out${t}`,
      ),
      {
        ...deltaP(`hot_side.deltaP${t}`),
        key: 'hot_side.deltaP',
        displayName: 'Hot-side pressure change',
      },
      {
        ...deltaP(`cold_side.deltaP${t}`),
        key: 'cold_side.deltaP',
        displayName: 'Cold-side pressure change',
      },
      {
        ...deltaPInv,
        key: 'hot_side.deltaP_inverted',
        displayName: 'Hot-side pressure drop',
        replyName: `hot_side.deltaP_inverted${t}`,
      },
      {
        ...deltaPInv,
        key: 'cold_side.deltaP_inverted',
        displayName: 'Cold-side pressure drop',
        replyName: `cold_side.deltaP_inverted${t}`,
      },
    ],
  },
  {
    type: 'mixer',
    displayName: 'Mixer',
    description: 'Mixes num_inlets streams; outlet pressure is the minimum inlet pressure.',
    args: { property_package: -1, num_inlets: 2 },
    ports: (args) => [
      ...Array.from({ length: count(args, 'num_inlets', 2) }, (_, k): PortDef => ({
        name: `inlet_${k + 1}`,
        direction: 'inlet',
        stateBlock: `inlet_${k + 1}_state`,
      })),
      { name: 'outlet', direction: 'outlet', stateBlock: 'mixed_state' },
    ],
    properties: [],
  },
  {
    type: 'splitter',
    displayName: 'Splitter',
    description: 'Splits one stream into num_outlets streams of the same state by split fractions.',
    args: { property_package: -1, num_outlets: 2 },
    ports: (args) => [
      { name: 'inlet', direction: 'inlet', stateBlock: 'mixed_state' },
      ...Array.from({ length: count(args, 'num_outlets', 2) }, (_, k): PortDef => ({
        name: `outlet_${k + 1}`,
        direction: 'outlet',
        stateBlock: `outlet_${k + 1}_state`,
      })),
    ],
    properties: [
      p(
        'split_fraction',
        'Split fraction',
        'dimensionless',
        'dimensionless',
        'dimensionless',
        'split_fraction[{t},{i}]',
        {
          indexedBy: 'outlet',
          range: [0, 1],
        },
      ),
    ],
  },
  {
    type: 'phaseSeparator',
    displayName: 'Phase separator',
    description:
      'Ideal flash drum: saturated vapour leaves by outlet_1, saturated liquid by outlet_2.',
    args: { property_package: -1, num_outlets: 2 },
    ports: () => [
      { name: 'inlet', direction: 'inlet', stateBlock: 'mixed_state' },
      { name: 'outlet_1', direction: 'outlet', stateBlock: 'outlet_1_state' },
      { name: 'outlet_2', direction: 'outlet', stateBlock: 'outlet_2_state' },
    ],
    properties: [],
  },
  {
    type: 'header',
    displayName: 'Steam header',
    description:
      'Ahuora steam header: mixer, cooler (heat loss, pressure drop), condensate removal, splitter with a vent that takes the balance.',
    args: { property_package: -1, num_inlets: 1, num_outlets: 2 },
    ports: (args) => [
      ...Array.from({ length: count(args, 'num_inlets', 1) }, (_, k): PortDef => ({
        name: `mixer.inlet_${k + 1}`,
        direction: 'inlet',
        stateBlock: `mixer.inlet_${k + 1}_state`,
      })),
      ...Array.from({ length: count(args, 'num_outlets', 2) }, (_, k): PortDef => ({
        name: `splitter.outlet_${k + 1}`,
        direction: 'outlet',
        stateBlock: `splitter.outlet_${k + 1}_state`,
      })),
      { name: 'splitter.vent', direction: 'outlet', stateBlock: 'splitter.vent_state' },
      {
        name: 'phase_separator.condensate_outlet',
        direction: 'outlet',
        stateBlock: 'phase_separator.condensate_outlet_state',
      },
    ],
    properties: [
      p(
        'split_flow',
        'Outlet flow',
        'molar_flow',
        'mol/s',
        'mol/s',
        'splitter.{i}_state[{t}].flow_mol',
        {
          indexedBy: 'outlet',
          nonNegative: true,
        },
      ),
      p(
        'splitter.vent.flow_mol',
        'Vent flow',
        'molar_flow',
        'mol/s',
        'mol/s',
        'splitter.vent_state[{t}].flow_mol',
      ),
      p(
        'heat_duty_inverted',
        'Heat loss',
        'power',
        'kW',
        'kg*m**2/s**3',
        `cooler.heat_duty_inverted${t}`,
        {
          default: 0,
          fixed: true,
        },
      ),
      p(
        'deltaP_inverted',
        'Pressure drop',
        'pressure_difference',
        'kPa',
        'kg/m/s**2',
        `cooler.deltaP_inverted${t}`,
        {
          default: 0,
          fixed: true,
        },
      ),
      p(
        'total_flow_mass',
        'Total mass flow',
        'mass_flow',
        'kg/s',
        'kg/s',
        `cooler.control_volume.properties_out${t}.flow_mass`,
      ),
      p(
        'total_flow_mol',
        'Total molar flow',
        'molar_flow',
        'mol/s',
        'mol/s',
        `cooler.control_volume.properties_out${t}.flow_mol`,
      ),
      p(
        'balance_flow_mol',
        'Balance (vent) flow',
        'molar_flow',
        'mol/s',
        'mol/s',
        `balance_flow_mol${t}`,
      ),
      p(
        'temperature',
        'Header temperature',
        'temperature',
        'degC',
        'K',
        `cooler.control_volume.properties_out${t}.temperature`,
      ),
      p(
        'degree_of_superheat',
        'Degree of superheat',
        'temperature_difference',
        'K',
        'K',
        `degree_of_superheat${t}`,
      ),
      p(
        'pressure',
        'Header pressure',
        'pressure',
        'kPa',
        'Pa',
        `cooler.control_volume.properties_out${t}.pressure`,
      ),
      p(
        'vapor_frac',
        'Header vapour fraction',
        'dimensionless',
        'dimensionless',
        'dimensionless',
        `cooler.control_volume.properties_out${t}.vapor_frac`,
      ),
      p(
        'enth_mass',
        'Header specific enthalpy',
        'mass_enthalpy',
        'kJ/kg',
        'J/kg',
        `cooler.control_volume.properties_out${t}.enth_mass`,
      ),
      p(
        'enth_mol',
        'Header molar enthalpy',
        'molar_enthalpy',
        'J/mol',
        'J/mol',
        `cooler.control_volume.properties_out${t}.enth_mol`,
      ),
    ],
  },
]

const BY_TYPE = new Map(UNIT_TYPES.map((u) => [u.type, u]))
const STREAM_BY_KEY = new Map(STREAM_PROPERTIES.map((s) => [s.key, s]))

export function getUnitType(type: string): UnitTypeDef | undefined {
  return BY_TYPE.get(type)
}

export function getStreamProperty(key: string): PropertyDef | undefined {
  return STREAM_BY_KEY.get(key)
}

export function getUnitProperty(type: string, key: string): PropertyDef | undefined {
  return BY_TYPE.get(type)?.properties.find((d) => d.key === key)
}

/** Upstream unit types Rere does not solve, and why (FLOWSHEET_UNSUPPORTED). */
export const UNSUPPORTED_TYPES: Record<string, string> = {
  ...Object.fromEntries(
    [
      'link',
      'solar',
      'wind',
      'energy_mixer',
      'bus',
      'acBus',
      'transmissionLine',
      'load',
      'hydro',
      'transformer',
      'storage',
      'grid',
      'energy_splitter',
      'mdb',
    ].map((k) => [k, 'electrical units are not supported']),
  ),
  machineLearningBlock: 'machine-learning blocks are not supported',
  Tank: 'dynamic models are not supported',
  pid_controller: 'dynamic models are not supported',
  integration: 'dynamic models are not supported',
  ...Object.fromEntries(
    [
      'willans_turbine',
      'pl_turbine',
      'dts_turbine',
      'bs_turbine',
      'cs_turbine',
      'heatPump',
      'compoundSeparator',
      'direct_steam_injection',
      'translator',
      'custom_variable',
      'stoich_hda',
      'RCT_CSTR',
      'simple_header',
      'heat_exchanger_1d',
      'steam_user',
      'desuperheater',
      'heat_exchanger_ntu',
      'waterpipe',
      'heat_exchanger_lc',
      'plate_heat_exchanger',
    ].map((k) => [k, `unit type "${k}" is not supported yet`]),
  ),
}
