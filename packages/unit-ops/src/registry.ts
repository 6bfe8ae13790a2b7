import {
  compressor,
  heater,
  mixer,
  pump,
  splitter,
  turbine,
  valve,
  type UnitFactory,
} from './units.ts'
import { heatExchanger } from './heat-exchanger.ts'
import { header } from './header.ts'
import { phaseSeparator } from './separator.ts'

/** Unit types the solver can build, by the document's `type`. */
export const UNIT_FACTORIES: Record<string, UnitFactory> = {
  pump,
  compressor,
  turbine,
  valve,
  heater,
  cooler: heater,
  heatExchanger,
  mixer,
  splitter,
  header,
  phaseSeparator,
}
