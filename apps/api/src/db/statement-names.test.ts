import { describe, expect, it } from 'vitest'
import { StatementNames } from './statement-names.ts'

describe('StatementNames', () => {
  it('names a text from its threshold-th run on, under the prefix, always the same name', () => {
    const n = new StatementNames('p_', { threshold: 3 })
    expect(n.nameFor('a')).toBeUndefined()
    expect(n.nameFor('a')).toBeUndefined()
    expect(n.nameFor('a')).toBe('p_1')
    expect(n.nameFor('a')).toBe('p_1')
    expect(n.nameFor('b')).toBeUndefined()
    expect(n.nameFor('b')).toBeUndefined()
    expect(n.nameFor('b')).toBe('p_2')
    expect(n.size).toBe(2)
  })

  it('names at most max texts; later texts run unnamed', () => {
    const n = new StatementNames('p_', { threshold: 1, max: 2 })
    expect(n.nameFor('a')).toBe('p_1')
    expect(n.nameFor('b')).toBe('p_2')
    expect(n.nameFor('c')).toBeUndefined()
    expect(n.nameFor('c')).toBeUndefined()
    expect(n.nameFor('a')).toBe('p_1')
    expect(n.size).toBe(2)
  })

  it('forgets the counts of the texts seen longest ago beyond track', () => {
    const n = new StatementNames('p_', { threshold: 2, track: 2 })
    expect(n.nameFor('a')).toBeUndefined()
    expect(n.nameFor('b')).toBeUndefined()
    expect(n.nameFor('c')).toBeUndefined() // a's count is dropped
    expect(n.nameFor('a')).toBeUndefined() // counted from 1 again (b dropped)
    expect(n.nameFor('c')).toBe('p_1')
    expect(n.nameFor('a')).toBe('p_2')
    expect(n.nameFor('b')).toBeUndefined()
  })
})
