// A tiny history-API router: two routes, no dependency.
import { useSyncExternalStore } from 'react'

const subscribe = (cb: () => void) => {
  window.addEventListener('popstate', cb)
  return () => window.removeEventListener('popstate', cb)
}

export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname)
}

export function navigate(path: string): void {
  if (path === window.location.pathname) return
  window.history.pushState(null, '', path)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

/** `/flowsheets/12` -> 12 */
export function flowsheetIdOf(path: string): number | null {
  const m = /^\/flowsheets\/(\d+)\/?$/.exec(path)
  return m ? Number(m[1]) : null
}
