/** The units the stream table and unit results show (a choice per column, kept in localStorage). */
export type DisplayUnits = Record<
  'temperature' | 'pressure' | 'flow' | 'enthalpy' | 'entropy' | 'power',
  string
>
export const DEFAULT_UNITS: DisplayUnits = {
  temperature: 'degC',
  pressure: 'kPa',
  flow: 'mol/s',
  enthalpy: 'kJ/mol',
  entropy: 'J/K/mol',
  power: 'kW',
}
