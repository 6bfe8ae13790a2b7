// Query keys and functions of the editor's data: shared by the editor and by main.tsx, which
// starts these requests (and the editor chunk) before the editor code has even loaded.
import { ApiError } from '../api/client.ts'
import * as E from '../api/endpoints.ts'

export function editorKeys(fs: number) {
  return {
    fs: ['fs', fs] as const,
    units: ['units', fs] as const,
    streams: ['streams', fs] as const,
    analysis: ['analysis', fs] as const,
    results: ['results', fs] as const,
  }
}

export function editorQueries(fs: number) {
  const k = editorKeys(fs)
  return {
    fs: { queryKey: k.fs, queryFn: () => E.getFlowsheet(fs) },
    units: { queryKey: k.units, queryFn: () => E.listUnits(fs) },
    streams: { queryKey: k.streams, queryFn: () => E.listStreams(fs) },
    catalogue: { queryKey: ['catalogue'] as const, queryFn: E.getCatalogue, staleTime: Infinity },
    analysis: { queryKey: k.analysis, queryFn: () => E.getAnalysis(fs) },
    results: {
      queryKey: k.results,
      queryFn: () =>
        E.getResults(fs).catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return null
          throw e
        }),
    },
  }
}
