import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { setVersion } from '../api/client.ts'
import { patchProperty } from '../api/endpoints.ts'
import type { PropertyInfo, SimulationObject } from '../api/types.ts'
import { feedProps, mockFetch, prop, stream } from '../test/fixtures.ts'
import { configArgsOf } from '../lib/configArgs.ts'
import { PropertyPanel } from './PropertyPanel.tsx'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

function setup(obj: SimulationObject, computed?: Map<number, number | null>) {
  const m = mockFetch((method, url, body) => {
    const id = Number(/propertyinfo\/(\d+)\//.exec(url)?.[1])
    const p = obj.properties.contained_properties.find((x) => x.id === id)!
    const b = body as Partial<PropertyInfo>
    return { body: { ...p, ...b }, etag: '"8"' }
  })
  vi.stubGlobal('fetch', m.fn)
  const onPatch = vi.fn((p: PropertyInfo, patch: Parameters<typeof patchProperty>[2]) =>
    patchProperty(1, p.id, patch),
  )
  render(
    <PropertyPanel obj={obj} typeName="Material stream" computed={computed} onPatch={onPatch} />,
  )
  return { calls: m.calls, onPatch }
}

describe('PropertyPanel', () => {
  beforeEach(() => setVersion(1, 7))

  it('lists every property with specified and computed marks', () => {
    setup(stream(1, 'S1', feedProps()))
    expect(screen.getByLabelText('Name')).toHaveProperty('value', 'S1')
    const pressure = screen.getByLabelText('Pressure', { exact: true }) as HTMLInputElement
    expect(pressure.value).toBe('100')
    expect(pressure.closest('.prop-row')!.textContent).toContain('spec')
    const t = screen.getByLabelText('Temperature', { exact: true }) as HTMLInputElement
    expect(t.value).toBe('')
    expect(t.placeholder).toBe('computed')
    expect(screen.getByRole('heading', { name: 'Specified' })).toBeTruthy()
  })

  it('validates as you type: no negative absolute temperature or pressure', async () => {
    const { calls } = setup(stream(1, 'S1', feedProps()))
    const user = userEvent.setup()
    const t = screen.getByLabelText('Temperature', { exact: true })
    await user.type(t, '-300')
    expect(screen.getByRole('alert').textContent).toMatch(/absolute zero/)
    expect(t.getAttribute('aria-invalid')).toBe('true')
    await user.keyboard('{Enter}')
    await user.tab()
    expect(calls).toHaveLength(0) // nothing sent while invalid
    const p = screen.getByLabelText('Pressure', { exact: true })
    await user.clear(p)
    await user.type(p, '0')
    expect(screen.getAllByRole('alert').map((a) => a.textContent)).toContain(
      'Absolute pressure must be above zero',
    )
  })

  it('sends a typed value in the selected unit as a specification (If-Match)', async () => {
    const { calls } = setup(stream(1, 'S1', feedProps()))
    const user = userEvent.setup()
    await user.type(screen.getByLabelText('Temperature', { exact: true }), '80{Enter}')
    await waitFor(() => expect(calls).toHaveLength(1))
    expect(calls[0].method).toBe('PATCH')
    expect(calls[0].url).toBe('/api/core/propertyinfo/11/')
    expect(calls[0].body).toEqual({ value: 80, unit: 'degC', fixed: true })
    expect(calls[0].headers['if-match']).toBe('"7"')
    await user.tab()
    await new Promise((r) => setTimeout(r, 50))
    expect(calls).toHaveLength(1) // Enter then blur: one request
  })

  it('changing the unit selector PATCHes the unit', async () => {
    const { calls } = setup(stream(1, 'S1', feedProps()))
    const user = userEvent.setup()
    const sel = screen.getByLabelText('Pressure unit') as HTMLSelectElement
    expect([...sel.options].map((o) => o.textContent)).toEqual([
      'kPa',
      'bar',
      'Pa',
      'atm',
      'psi',
      'MPa',
    ])
    await user.selectOptions(sel, 'bar')
    await waitFor(() => expect(calls).toHaveLength(1))
    expect(calls[0].body).toEqual({ unit: 'bar' })
    const tsel = screen.getByLabelText('Temperature unit') as HTMLSelectElement
    expect([...tsel.options].map((o) => o.textContent)).toEqual(['°C', 'K', '°F'])
  })

  it('shows computed values converted to the property unit', () => {
    const props = [
      prop({
        id: 21,
        key: 'temperature',
        displayName: 'Temperature',
        unit: 'degC',
        unitSI: 'K',
        quantity: 'temperature',
        computed: 353.1812,
      }),
      prop({
        id: 22,
        key: 'work_mechanical',
        displayName: 'Mechanical work',
        unit: 'kW',
        unitSI: 'W',
        quantity: 'power',
      }),
      prop({
        id: 23,
        key: 'pressure',
        displayName: 'Pressure',
        unit: 'bar',
        unitSI: 'Pa',
        quantity: 'pressure',
      }),
    ]
    setup(
      stream(2, 'S2', props),
      new Map([
        [22, 3707.5],
        [23, 2e5],
      ]),
    )
    expect((screen.getByLabelText('Temperature', { exact: true }) as HTMLInputElement).value).toBe(
      '80.03',
    )
    expect(
      (screen.getByLabelText('Mechanical work', { exact: true }) as HTMLInputElement).value,
    ).toBe('3.71')
    expect((screen.getByLabelText('Pressure', { exact: true }) as HTMLInputElement).value).toBe(
      '2.00',
    )
    expect(screen.getAllByText('calc')).toHaveLength(3)
  })

  it('clearing a specified value makes it computed again', async () => {
    const { calls } = setup(stream(1, 'S1', feedProps()))
    const user = userEvent.setup()
    await user.clear(screen.getByLabelText('Pressure', { exact: true }))
    await user.tab()
    await waitFor(() => expect(calls).toHaveLength(1))
    expect(calls[0].body).toEqual({ fixed: false })
  })
})

describe('unit configuration', () => {
  it('offers port counts and the exchanger mean, and sends only valid changes', async () => {
    const mixer: SimulationObject = {
      ...stream(9, 'Mixer-1', []),
      objectType: 'mixer',
      args: { num_inlets: 3 },
    }
    const config = configArgsOf({ property_package: -1, num_inlets: 2 }, mixer.args)
    expect(config).toEqual([{ key: 'num_inlets', label: 'Inlets', value: 3 }])
    const onConfig = vi.fn(async () => undefined)
    render(
      <PropertyPanel
        obj={mixer}
        typeName="Mixer"
        onPatch={vi.fn()}
        config={config}
        onConfig={onConfig}
      />,
    )
    const user = userEvent.setup()
    const inlets = screen.getByLabelText('Inlets') as HTMLInputElement
    expect(inlets.value).toBe('3')
    await user.clear(inlets)
    await user.type(inlets, '0')
    expect(inlets.getAttribute('aria-invalid')).toBe('true')
    await user.tab()
    expect(onConfig).not.toHaveBeenCalled()
    await user.clear(inlets)
    await user.type(inlets, '4{Enter}')
    await waitFor(() => expect(onConfig).toHaveBeenCalledWith('num_inlets', 4))
    // the heat exchanger's mean temperature difference is a choice
    expect(
      configArgsOf(
        { delta_temperature: 'underwood', dynamic: false },
        { delta_temperature: 'lmtd' },
      ),
    ).toEqual([
      {
        key: 'delta_temperature',
        label: 'Mean temperature difference',
        value: 'lmtd',
        options: ['underwood', 'lmtd'],
      },
    ])
    // streams and units without such args offer nothing
    expect(configArgsOf({ property_package: -1, dynamic: false }, {})).toEqual([])
  })
})
