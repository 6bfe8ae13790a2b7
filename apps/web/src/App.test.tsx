import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { App } from './App.tsx'
import { mockFetch } from './test/fixtures.ts'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

function renderApp() {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  return render(
    <QueryClientProvider client={qc}>
      <App />
    </QueryClientProvider>,
  )
}

const sheet = {
  id: 3,
  name: 'Cycle',
  version: 4,
  createdAt: '2026-11-28T20:00:00Z',
  updatedAt: '2026-11-28T20:00:00Z',
  propertyPackage: { id: 1, name: 'helmholtz', compounds: ['water'] },
}

describe('App shell', () => {
  it('a 401 from the API shows the sign-in link instead of a broken page', async () => {
    const m = mockFetch(() => ({
      status: 401,
      body: { statusCode: 401, code: 'AUTH_REQUIRED', message: 'sign in', details: {} },
    }))
    vi.stubGlobal('fetch', m.fn)
    renderApp()
    const link = await screen.findByRole('link', { name: 'Sign in' })
    expect(link.getAttribute('href')).toBe('/oauth2/start?rd=%2F')
  })

  it('lists flowsheets with the current user; delete asks for confirmation', async () => {
    const m = mockFetch((method, url) => {
      if (url === '/api/me/')
        return {
          body: {
            id: 1,
            email: 'ann@example.org',
            displayName: 'Ann',
            authMode: 'proxy',
            via: 'proxy',
          },
        }
      if (url === '/api/flowsheets/' && method === 'GET') return { body: [sheet] }
      if (method === 'DELETE') return { status: 204 }
      return { status: 404, body: { code: 'API_NOT_FOUND', message: 'no', details: {} } }
    })
    vi.stubGlobal('fetch', m.fn)
    renderApp()
    await waitFor(() => expect(screen.getByLabelText('Signed in as').textContent).toBe('Ann'))
    await screen.findByRole('link', { name: 'Cycle' })
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Delete Cycle' }))
    expect(screen.getByRole('heading', { name: 'Delete flowsheet' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(m.calls.some((c) => c.method === 'DELETE')).toBe(false)
    await user.click(screen.getByRole('button', { name: 'Delete Cycle' }))
    await user.click(screen.getByRole('button', { name: 'Delete' }))
    await waitFor(() => expect(m.calls.some((c) => c.method === 'DELETE')).toBe(true))
    expect(m.calls.find((c) => c.method === 'DELETE')!.url).toBe('/api/flowsheets/3/')
  })
})
