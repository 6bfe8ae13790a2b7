import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { App } from './App.tsx'
import { editorQueries } from './editor/queries.ts'
import { flowsheetIdOf } from './lib/router.ts'
import './styles.css'

const client = new QueryClient({
  defaultOptions: {
    queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 },
  },
})

// Opening an editor URL: start the editor chunk and its data now, in parallel with React's
// first render (the lazy() in App gets the same module).
const id = flowsheetIdOf(window.location.pathname)
if (id !== null) {
  void import('./pages/Editor.tsx')
  const q = editorQueries(id)
  void client.prefetchQuery(q.fs)
  void client.prefetchQuery(q.units)
  void client.prefetchQuery(q.streams)
  void client.prefetchQuery(q.catalogue)
  void client.prefetchQuery(q.analysis)
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
)
