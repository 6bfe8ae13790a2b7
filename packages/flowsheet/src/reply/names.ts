/**
 * Pyomo component names as the Ahuora service prints them in replies, e.g.
 * `fs.Pump-1_8.control_volume.properties_in[0.0].pressure`, `fs.Heater-1_9.control_volume.heat[0.0]`,
 * `fs.'Spec (1)_130'`. A unit block is `<name>_<id>` under `fs`; names holding Pyomo's literal
 * characters `()[],.` (or quotes, a backslash, a colon), or that look like numbers, are printed
 * with Python's repr quoting.
 */
import { getUnitType, type PortDef } from '../catalogue/catalogue.ts'
import type { PortModel, Spec, UnitModel } from '../document/model.ts'

const TIME = '0.0'
const stateBlocks = new WeakMap<UnitModel, Map<string, string>>()
const SPECIAL = /[()[\],.:'"\\]/
const NUMBER = /^(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|-?inf|nan)$/

/** Python repr of a string: single quotes unless it holds a single quote and no double quote. */
function pyRepr(s: string): string {
  const useDouble = s.includes("'") && !s.includes('"')
  const q = useDouble ? '"' : "'"
  let out = ''
  for (const ch of s) {
    if (ch === '\\') out += '\\\\'
    else if (ch === q) out += `\\${q}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else out += ch
  }
  return q + out + q
}

/** A component's local name as Pyomo prints it inside a full name. */
export function pyomoLocalName(name: string): string {
  return SPECIAL.test(name) || NUMBER.test(name) ? pyRepr(name) : name
}

/** `fs.<name>_<id>` of a unit block. */
export function unitBlockName(unit: Pick<UnitModel, 'name' | 'id'>): string {
  return `fs.${pyomoLocalName(`${unit.name}_${unit.id}`)}`
}

function fill(template: string, index: string): string {
  return template.replace(/\{t\}/g, TIME).replace(/\{i\}/g, index)
}

/** Reply name of a unit-level property value. */
export function unitPropertyName(unit: UnitModel, spec: Spec): string {
  const def = getUnitType(unit.type)?.properties.find((d) => d.key === spec.key)
  const template = def?.replyName ?? `${spec.key}[{t}]`
  return `${unitBlockName(unit)}.${fill(template, spec.indexes.join(','))}`
}

/** Reply name of a port property value: `<unit>.<state block>[0.0].<key>[<indexes>]`. */
export function portPropertyName(unit: UnitModel, port: PortModel, spec: Spec): string {
  let blocks = stateBlocks.get(unit)
  if (!blocks) {
    const defs: PortDef[] = getUnitType(unit.type)?.ports(unit.args) ?? []
    blocks = new Map(defs.map((d) => [d.name, d.stateBlock]))
    stateBlocks.set(unit, blocks)
  }
  const block = blocks.get(port.name) ?? `${port.name}_state`
  const idx = spec.indexes.length ? `[${spec.indexes.join(',')}]` : ''
  return `${unitBlockName(unit)}.${block}[${TIME}].${spec.key}${idx}`
}

/** Reply name of a top-level expression: `fs.<name>_<id>`. */
export function expressionName(name: string, id: number): string {
  return `fs.${pyomoLocalName(`${name}_${id}`)}`
}

/** Reply name of a `/build_state` property: `fs.<block>_state[0.0].<key>`. */
export function stateBlockPropertyName(blockName: string, spec: Spec): string {
  const idx = spec.indexes.length ? `[${spec.indexes.join(',')}]` : ''
  return `fs.${blockName}_state[${TIME}].${spec.key}${idx}`
}
