import { getStreamProperty, getUnitProperty, getUnitType } from '../catalogue/index.ts'
import type { PortModel, Spec, UnitModel } from '../document/model.ts'

/** Pyomo-style name of a property value, as the Ahuora service prints it ("fs.Pump-1_8.efficiency_pump[0.0]"). */
export function replyName(unit: UnitModel, port: PortModel | null, spec: Spec): string {
  const blk = `fs.${unit.name}_${unit.id}`
  const fill = (tpl: string) =>
    tpl.replace('{t}', '0.0').replace('{i}', spec.indexes.length ? spec.indexes.join(',') : '')
  if (port) {
    const def = getUnitType(unit.type)
      ?.ports(unit.args)
      .find((p) => p.name === port.name)
    const sb =
      def?.stateBlock ??
      (port.direction === 'inlet'
        ? 'control_volume.properties_in'
        : 'control_volume.properties_out')
    const prop = getStreamProperty(spec.key)
    return `${blk}.${sb}[0.0].${fill(prop?.replyName ?? spec.key)}`
  }
  const prop = getUnitProperty(unit.type, spec.key)
  return `${blk}.${fill(prop?.replyName ?? spec.key)}`
}
