import { lazy, Suspense, useEffect, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { onApiError, type ApiError } from './api/client.ts'
import { getMe } from './api/endpoints.ts'
import { flowsheetIdOf, navigate, usePath } from './lib/router.ts'
import { FlowsheetList } from './pages/FlowsheetList.tsx'

// The editor (React Flow, diagrams) is a separate chunk: the list page loads without it.
const Editor = lazy(() => import('./pages/Editor.tsx'))

export function signInHref(): string {
  return `/oauth2/start?rd=${encodeURIComponent(window.location.pathname)}`
}

export function App() {
  const path = usePath()
  const [authError, setAuthError] = useState<ApiError | null>(null)
  useEffect(() => onApiError((e) => e.status === 401 && setAuthError(e)), [])
  const me = useQuery({ queryKey: ['me'], queryFn: getMe })
  const id = flowsheetIdOf(path)

  if (authError || (me.error as ApiError | null)?.status === 401) {
    return (
      <main className="signin">
        <h1>Rere</h1>
        <p>You are not signed in, or your session has expired.</p>
        <a className="button primary" href={signInHref()}>
          Sign in
        </a>
      </main>
    )
  }

  return (
    <div className="app">
      <header className="topbar">
        <a
          href="/"
          className="brand"
          onClick={(e) => {
            e.preventDefault()
            navigate('/')
          }}
        >
          Rere
        </a>
        <span className="spacer" />
        <span className="user" aria-label="Signed in as">
          {me.data ? me.data.displayName || me.data.email : me.isLoading ? '…' : ''}
        </span>
      </header>
      {id !== null ? (
        <Suspense fallback={<p className="loading">Loading the editor…</p>}>
          <Editor key={id} flowsheetId={id} />
        </Suspense>
      ) : (
        <FlowsheetList />
      )}
    </div>
  )
}
