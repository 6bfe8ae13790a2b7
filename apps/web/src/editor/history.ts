/**
 * Undo/redo as a stack of commands whose steps are API calls. Re-creating a deleted object
 * gives it new ids; `IdMap` remembers old -> new (objects, ports and properties separately)
 * so that older commands keep working on the re-created object.
 */

export interface Command {
  label: string
  undo: () => Promise<void>
  redo: () => Promise<void>
}

export class IdMap {
  private maps = {
    obj: new Map<number, number>(),
    port: new Map<number, number>(),
    prop: new Map<number, number>(),
  }
  set(kind: keyof IdMap['maps'], from: number, to: number): void {
    if (from !== to) this.maps[kind].set(from, to)
  }
  get(kind: keyof IdMap['maps'], id: number): number
  get(kind: keyof IdMap['maps'], id: number | null | undefined): number | null
  get(kind: keyof IdMap['maps'], id: number | null | undefined): number | null {
    if (id === null || id === undefined) return null
    let cur = id
    for (let i = 0; i < 100 && this.maps[kind].has(cur); i++) cur = this.maps[kind].get(cur)!
    return cur
  }
}

export class History {
  private done: Command[] = []
  private undone: Command[] = []
  private listeners = new Set<() => void>()
  readonly ids = new IdMap()
  private version = 0

  subscribe = (l: () => void) => {
    this.listeners.add(l)
    return () => {
      this.listeners.delete(l)
    }
  }
  snapshot = () => this.version
  private emit() {
    this.version++
    for (const l of this.listeners) l()
  }
  push(c: Command): void {
    this.done.push(c)
    if (this.done.length > 200) this.done.shift()
    this.undone = []
    this.emit()
  }
  get canUndo() {
    return this.done.length > 0
  }
  get canRedo() {
    return this.undone.length > 0
  }
  get undoLabel() {
    return this.done.at(-1)?.label
  }
  get redoLabel() {
    return this.undone.at(-1)?.label
  }
  async undo(): Promise<void> {
    const c = this.done.pop()
    if (!c) return
    this.emit()
    try {
      await c.undo()
      this.undone.push(c)
    } finally {
      this.emit()
    }
  }
  async redo(): Promise<void> {
    const c = this.undone.pop()
    if (!c) return
    this.emit()
    try {
      await c.redo()
      this.done.push(c)
    } finally {
      this.emit()
    }
  }
}
