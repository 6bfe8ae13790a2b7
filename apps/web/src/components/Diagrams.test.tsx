import { afterEach, describe, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import type { Envelope } from '@rere/contract'
import { pumpResult } from '../test/fixtures.ts'
import Diagrams from './Diagrams.tsx'

afterEach(cleanup)

// a coarse saturation curve (IAPWS-95 values rounded; enough for drawing)
const envelope: Envelope = {
  package: 'helmholtz',
  compound: 'water',
  critical: { T: 647.096, P: 22.064e6, rho: 322, h: 37548, s: 79.39 },
  points: [
    {
      T: 300,
      P: 3537,
      rhoLiq: 996.5,
      rhoVap: 0.0256,
      hLiq: 2034,
      hVap: 45882,
      sLiq: 7.07,
      sVap: 153.2,
    },
    {
      T: 400,
      P: 245770,
      rhoLiq: 937.5,
      rhoVap: 1.37,
      hLiq: 9654,
      hVap: 49117,
      sLiq: 27.96,
      sVap: 126.6,
    },
    {
      T: 500,
      P: 2639200,
      rhoLiq: 831.3,
      rhoVap: 13.2,
      hLiq: 17369,
      hVap: 50577,
      sLiq: 44.58,
      sVap: 111.0,
    },
    {
      T: 600,
      P: 12345000,
      rhoLiq: 649.4,
      rhoVap: 72.8,
      hLiq: 27390,
      hVap: 47100,
      sLiq: 60.93,
      sVap: 93.8,
    },
  ],
}

describe('T–s and P–h diagrams', () => {
  it('draw the dome and one labelled point per stream', () => {
    const { container } = render(<Diagrams envelope={envelope} streams={pumpResult.streams} />)
    const ts = screen.getByTestId('ts-diagram')
    expect(ts.querySelector('path.dome')!.getAttribute('d')!.split('L')).toHaveLength(9)
    const points = ts.querySelectorAll('.state-point')
    expect([...points].map((p) => p.getAttribute('data-stream'))).toEqual(['S1', 'S2'])
    expect(points[1].getAttribute('aria-label')).toBe('S2: T = 80.03 °C, s = 19.410 J/(mol·K)')
    // points lie inside the plot area
    for (const c of container.querySelectorAll('circle')) {
      const x = Number(c.getAttribute('cx'))
      const y = Number(c.getAttribute('cy'))
      expect(x).toBeGreaterThan(62)
      expect(x).toBeLessThan(520 - 16)
      expect(y).toBeGreaterThan(16)
      expect(y).toBeLessThan(340 - 44)
    }
    expect(screen.getByTestId('ph-diagram').querySelectorAll('.state-point')).toHaveLength(2)
  })
  it('without the envelope, still plot the states and say why', () => {
    render(<Diagrams streams={pumpResult.streams} envelopeError="THERMO_NO_CONVERGENCE" />)
    expect(screen.getByRole('note').textContent).toContain('THERMO_NO_CONVERGENCE')
    expect(screen.getByTestId('ts-diagram').querySelector('path.dome')).toBeNull()
    expect(screen.getByTestId('ts-diagram').querySelectorAll('.state-point')).toHaveLength(2)
  })
})
