import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { pumpResult } from '../test/fixtures.ts'
import {
  DEFAULT_UNITS,
  StreamTable,
  UnitResults,
  streamTableRows,
  type DisplayUnits,
} from './Results.tsx'

afterEach(cleanup)

function Table() {
  const [u, setU] = useState<DisplayUnits>(DEFAULT_UNITS)
  return <StreamTable result={pumpResult} units={u} onUnits={setU} />
}

describe('stream table (unit conversion display)', () => {
  it('shows every stream in the chosen units and converts when the unit changes', async () => {
    render(<Table />)
    const row = screen.getByRole('row', { name: /S2/ })
    const cell = (col: string) => row.querySelector(`[data-col="${col}"]`)!.textContent
    expect(cell('temperature')).toBe('80.03')
    expect(cell('pressure')).toBe('200.00')
    expect(cell('flowMol')).toBe('1000.00')
    expect(cell('phase')).toBe('liquid')
    const user = userEvent.setup()
    await user.selectOptions(screen.getByLabelText('Temperature unit'), 'K')
    expect(cell('temperature')).toBe('353.18')
    await user.selectOptions(screen.getByLabelText('Temperature unit'), 'degF')
    expect(cell('temperature')).toBe('176.05')
    await user.selectOptions(screen.getByLabelText('Pressure unit'), 'bar')
    expect(cell('pressure')).toBe('2.00')
    await user.selectOptions(screen.getByLabelText('Flow unit'), 'kg/s')
    expect(cell('flowMol')).toBe('18.02')
    await user.selectOptions(screen.getByLabelText('Flow unit'), 'kmol/h')
    expect(cell('flowMol')).toBe('3600.00')
    await user.selectOptions(screen.getByLabelText('Enthalpy unit'), 'kJ/kg')
    expect(cell('enthMol')).toBe((6035.8 / 18.015268).toFixed(2))
  })
  it('CSV/TSV rows carry units in the header', () => {
    const rows = streamTableRows(pumpResult.streams, DEFAULT_UNITS)
    expect(rows[0]).toEqual([
      'Stream',
      'Temperature [°C]',
      'Pressure [kPa]',
      'Flow [mol/s]',
      'Vapour fraction',
      'Enthalpy [kJ/mol]',
      'Entropy [J/(mol·K)]',
      'Phase',
    ])
    expect(rows[1].slice(0, 3)).toEqual(['S1', '80.00', '100.00'])
  })
  it('copies the table as tab-separated text', async () => {
    const user = userEvent.setup()
    const writeText = vi.spyOn(navigator.clipboard, 'writeText')
    render(<Table />)
    await user.click(screen.getByRole('button', { name: 'Copy table' }))
    expect(writeText).toHaveBeenCalledOnce()
    expect(String(writeText.mock.calls[0][0]).split('\n')[2].split('\t')[1]).toBe('80.03')
  })
})

describe('unit results', () => {
  it('shows work in kW', () => {
    render(<UnitResults result={pumpResult} units={DEFAULT_UNITS} />)
    const pump = screen.getByRole('region', { name: 'Results of Pump-1' })
    expect(within(pump).getByText('Mechanical work').nextSibling!.textContent).toBe('3.71 kW')
    expect(within(pump).getByText('Fluid work').nextSibling!.textContent).toBe('1.85 kW')
  })
})
