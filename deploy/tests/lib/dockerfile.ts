/** A small Dockerfile reader: instructions (continuations joined, comments dropped) grouped by stage. */
export interface Instruction {
  cmd: string
  args: string
}
export interface Stage {
  base: string
  name?: string
  platform?: string
  instructions: Instruction[]
}

export function parseDockerfile(text: string): Stage[] {
  const lines: string[] = []
  let cur = ''
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd()
    if (!cur && /^\s*#/.test(line)) continue
    if (line.endsWith('\\')) {
      cur += line.slice(0, -1) + ' '
      continue
    }
    cur += line
    if (cur.trim()) lines.push(cur.trim())
    cur = ''
  }
  const stages: Stage[] = []
  for (const l of lines) {
    const m = /^(\w+)\s+([\s\S]*)$/.exec(l)
    if (!m) throw new Error(`cannot read: ${l}`)
    const cmd = m[1].toUpperCase()
    const args = m[2].trim()
    if (cmd === 'FROM') {
      const f = /^(?:--platform=(\S+)\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)
      if (!f) throw new Error(`bad FROM: ${args}`)
      stages.push({ platform: f[1], base: f[2], name: f[3], instructions: [] })
    } else if (cmd !== 'ARG' || stages.length) {
      if (!stages.length) throw new Error(`${cmd} before FROM`)
      stages[stages.length - 1].instructions.push({ cmd, args })
    }
  }
  return stages
}

/** Instructions in effect for a stage, including those of the stages it is built FROM. */
export function effective(stages: Stage[], name: string): Instruction[] {
  const s = stages.find((x) => x.name === name)
  if (!s) throw new Error(`no stage ${name}`)
  const parent = stages.find((x) => x.name === s.base)
  return [...(parent ? effective(stages, parent.name!) : []), ...s.instructions]
}

export function last(ins: Instruction[], cmd: string): string | undefined {
  return ins.filter((i) => i.cmd === cmd).at(-1)?.args
}
