import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import type { AnalyzeReply } from '@rere/contract'
import { DofIndicator, UnitDofList } from './DofDisplay.tsx'

afterEach(cleanup)

const under: AnalyzeReply = {
  status: 'underspecified',
  dof: 2,
  message: 'Under-specified by 2: fix efficiency_pump on Pump-1 and pressure on S2',
  units: [
    {
      unitId: 5,
      name: 'Pump-1',
      type: 'pump',
      dof: 2,
      status: 'underspecified',
      message: 'fix efficiency_pump and the outlet pressure',
      variables: ['efficiency_pump', 'pressure'],
    },
  ],
}

describe('DOF display', () => {
  it('shows the sheet status and the message naming what to add', () => {
    render(<DofIndicator analysis={under} />)
    const s = screen.getByRole('status', { name: 'Degrees of freedom' })
    expect(s.textContent).toContain('Under-specified (+2)')
    expect(s.textContent).toContain('fix efficiency_pump on Pump-1 and pressure on S2')
  })
  it('square, over-specified and singular', () => {
    const { rerender } = render(
      <DofIndicator
        analysis={{ ...under, status: 'square', dof: 0, message: 'Square: ready to solve' }}
      />,
    )
    expect(screen.getByRole('status').textContent).toBe('SquareSquare: ready to solve')
    rerender(
      <DofIndicator
        analysis={{
          ...under,
          status: 'overspecified',
          dof: -1,
          message: 'remove one of: temperature on S2',
        }}
      />,
    )
    expect(screen.getByRole('status').textContent).toContain('Over-specified (-1)')
    rerender(
      <DofIndicator analysis={{ ...under, status: 'singular', dof: 0, message: 'singular' }} />,
    )
    expect(screen.getByRole('status').textContent).toContain('Singular')
  })
  it('loading and error states', () => {
    const { rerender } = render(<DofIndicator loading />)
    expect(screen.getByRole('status').textContent).toBe('Analysing…')
    rerender(<DofIndicator error="Cannot reach the API" />)
    expect(screen.getByRole('status').textContent).toContain('Cannot reach the API')
  })
  it('lists the DOF per unit', () => {
    render(<UnitDofList analysis={under} />)
    const item = screen.getByRole('listitem')
    expect(item.textContent).toContain('Pump-1')
    expect(item.textContent).toContain('Under-specified (+2)')
    expect(item.textContent).toContain('fix efficiency_pump and the outlet pressure')
  })
})
