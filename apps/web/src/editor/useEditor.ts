/**
 * The editor's data and actions: the sheet's objects from the API (TanStack Query caches),
 * writes serialised through one queue (If-Match carries the version of the previous reply),
 * undo/redo of every action, debounced position saves, solve.
 */
import { useCallback, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query'
import { ApiError, describeError, setVersion, WriteQueue } from '../api/client.ts'
import * as E from '../api/endpoints.ts'
import type { PropertyInfo, SimulationObject, SolveResult } from '../api/types.ts'
import { History } from './history.ts'
import { editorKeys, editorQueries } from './queries.ts'

export type PropPatch = { value?: number | null; unit?: string; fixed?: boolean }

interface UnitSnap {
  id: number
  type: string
  name: string
  x: number
  y: number
  props: PropertyInfo[]
  ports: { id: number; name: string; direction: 'inlet' | 'outlet'; streamId: number | null }[]
}
interface StreamSnap {
  id: number
  name: string
  x: number
  y: number
  source: number | null
  destination: number | null
  props: PropertyInfo[]
}

const isStream = (o: SimulationObject) => o.objectType === 'stream'

export function streamEnds(s: SimulationObject): {
  source: number | null
  destination: number | null
} {
  return {
    source: s.connections?.source?.portId ?? null,
    destination: s.connections?.destination?.portId ?? null,
  }
}

const keys = editorKeys

function putObject(qc: QueryClient, fs: number, o: SimulationObject) {
  const k = isStream(o) ? keys(fs).streams : keys(fs).units
  qc.setQueryData<SimulationObject[]>(k, (old) => {
    if (!old) return old
    const i = old.findIndex((x) => x.id === o.id)
    if (i < 0) return [...old, o]
    const next = old.slice()
    next[i] = o
    return next
  })
}

export function useEditor(fsId: number) {
  const qc = useQueryClient()
  const k = useMemo(() => keys(fsId), [fsId])
  const q = useMemo(() => editorQueries(fsId), [fsId])
  const fs = useQuery(q.fs)
  const units = useQuery(q.units)
  const streams = useQuery(q.streams)
  const catalogue = useQuery(q.catalogue)
  const analysis = useQuery(q.analysis)
  // only a sheet that has been solved has results (no 404 noise in the console)
  const results = useQuery({ ...q.results, enabled: !!fs.data?.latestSolve })

  const [history] = useState(() => new History())
  useSyncExternalStore(history.subscribe, history.snapshot)
  const [queue] = useState(() => new WriteQueue())
  const [error, setError] = useState<string | null>(null)
  const [conflict, setConflict] = useState<number | null>(null)
  const [pending, setPending] = useState(0)
  const [solving, setSolving] = useState<{ started: number } | null>(null)
  const [lastSolveMs, setLastSolveMs] = useState<number | null>(null)
  const moveTimers = useRef(new Map<number, ReturnType<typeof setTimeout>>())

  const allObjects = useCallback(
    (): SimulationObject[] => [
      ...(qc.getQueryData<SimulationObject[]>(k.units) ?? []),
      ...(qc.getQueryData<SimulationObject[]>(k.streams) ?? []),
    ],
    [qc, k],
  )
  const find = useCallback((id: number) => allObjects().find((o) => o.id === id), [allObjects])

  const refresh = useCallback(
    (structure: boolean) => {
      if (structure) {
        void qc.invalidateQueries({ queryKey: k.units })
        void qc.invalidateQueries({ queryKey: k.streams })
      }
      void qc.invalidateQueries({ queryKey: k.analysis })
    },
    [qc, k],
  )

  /** Run a write through the queue; report errors on the page (412 -> offer reload). */
  const run = useCallback(
    async <T>(fn: () => Promise<T>, structure = true): Promise<T | undefined> => {
      setPending((n) => n + 1)
      try {
        const r = await queue.run(fn)
        setError(null)
        return r
      } catch (e) {
        if (e instanceof ApiError && e.status === 412) {
          const cur = e.details.currentVersion
          setConflict(typeof cur === 'number' ? cur : -1)
        } else setError(describeError(e))
        return undefined
      } finally {
        setPending((n) => n - 1)
        refresh(structure)
      }
    },
    [queue, refresh],
  )

  // ---- helpers used by commands (ids resolved through the history's id map) ----
  const ids = history.ids
  const createUnitRaw = useCallback(
    async (type: string, name: string, x: number, y: number) => {
      const o = await E.createObject(fsId, {
        flowsheetOwner: fsId,
        objectType: type,
        componentName: name,
        x: Math.round(x),
        y: Math.round(y),
      })
      putObject(qc, fsId, o)
      return o
    },
    [qc, fsId],
  )
  const mapRecreated = useCallback(
    (
      old: { id: number; ports?: { id: number; name: string }[]; props: PropertyInfo[] },
      o: SimulationObject,
    ) => {
      ids.set('obj', old.id, o.id)
      for (const p of old.ports ?? []) {
        const np = o.ports.find((x) => x.name === p.name)
        if (np) ids.set('port', p.id, np.id)
      }
      for (const p of old.props) {
        const np = o.properties.contained_properties.find((x) => x.key === p.key)
        if (np) ids.set('prop', p.id, np.id)
      }
    },
    [ids],
  )
  const restoreProps = useCallback(
    async (o: SimulationObject, props: PropertyInfo[]) => {
      for (const p of props) {
        const np = o.properties.contained_properties.find((x) => x.key === p.key)
        if (!np) continue
        if (np.fixed === p.fixed && np.value === p.value && np.unit === p.unit) continue
        const patch: PropPatch = p.fixed
          ? { value: p.value, unit: p.unit, fixed: true }
          : { unit: p.unit, fixed: false }
        await E.patchProperty(fsId, np.id, patch)
      }
    },
    [fsId],
  )

  // ---- actions ----
  const addUnit = useCallback(
    async (type: string, displayName: string, x: number, y: number) => {
      const existing = allObjects().map((o) => o.componentName)
      let n = 1
      while (existing.includes(`${displayName}-${n}`)) n++
      const name = `${displayName}-${n}`
      const o = await run(() => createUnitRaw(type, name, x, y))
      if (!o) return
      const orig = { id: o.id, ports: o.ports, props: o.properties.contained_properties }
      history.push({
        label: `add ${name}`,
        undo: async () => {
          await run(() => E.deleteObject(fsId, ids.get('obj', orig.id)))
        },
        redo: async () => {
          const again = await run(() => createUnitRaw(type, name, x, y))
          if (again) mapRecreated(orig, again)
        },
      })
      return o
    },
    [allObjects, run, createUnitRaw, history, fsId, ids, mapRecreated],
  )

  const createStreamRaw = useCallback(
    async (
      name: string,
      source: number | null,
      destination: number | null,
      x: number,
      y: number,
    ) => {
      const body: E.CreateObject = {
        flowsheetOwner: fsId,
        objectType: 'stream',
        componentName: name,
        x: Math.round(x),
        y: Math.round(y),
      }
      if (source !== null) body.source = source
      if (destination !== null) body.destination = destination
      const o = await E.createObject(fsId, body)
      putObject(qc, fsId, o)
      return o
    },
    [qc, fsId],
  )

  const addStream = useCallback(
    async (source: number | null, destination: number | null, x: number, y: number) => {
      const existing = allObjects().map((o) => o.componentName)
      let n = 1
      while (existing.includes(`S${n}`)) n++
      const name = `S${n}`
      const o = await run(() => createStreamRaw(name, source, destination, x, y))
      if (!o) return
      const orig = { id: o.id, props: o.properties.contained_properties }
      history.push({
        label: `add stream ${name}`,
        undo: async () => {
          await run(() => E.deleteObject(fsId, ids.get('obj', orig.id)))
        },
        redo: async () => {
          const again = await run(() =>
            createStreamRaw(name, ids.get('port', source), ids.get('port', destination), x, y),
          )
          if (again) mapRecreated(orig, again)
        },
      })
      return o
    },
    [allObjects, run, createStreamRaw, history, fsId, ids, mapRecreated],
  )

  /** Attach a stream's end(s) to ports (null detaches). */
  const setStreamEnds = useCallback(
    async (streamId: number, ends: { source?: number | null; destination?: number | null }) => {
      const s = find(streamId)
      if (!s) return
      const before = streamEnds(s)
      const prev: { source?: number | null; destination?: number | null } = {}
      if ('source' in ends) prev.source = before.source
      if ('destination' in ends) prev.destination = before.destination
      const apply = (e: typeof ends) => {
        const body: typeof ends = {}
        if ('source' in e) body.source = ids.get('port', e.source)
        if ('destination' in e) body.destination = ids.get('port', e.destination)
        return run(async () =>
          putObject(qc, fsId, await E.patchObject(fsId, ids.get('obj', streamId), body)),
        )
      }
      await apply(ends)
      history.push({
        label: `connect ${s.componentName}`,
        undo: async () => void (await apply(prev)),
        redo: async () => void (await apply(ends)),
      })
    },
    [find, ids, run, qc, fsId, history],
  )

  const deleteObjects = useCallback(
    async (unitIds: number[], streamIds: number[]) => {
      const objs = allObjects()
      const uSnaps: UnitSnap[] = []
      const sSnaps: StreamSnap[] = []
      for (const id of unitIds) {
        const o = objs.find((x) => x.id === id)
        if (o)
          uSnaps.push({
            id: o.id,
            type: o.objectType,
            name: o.componentName,
            x: o.x,
            y: o.y,
            props: o.properties.contained_properties,
            ports: o.ports,
          })
      }
      for (const id of new Set(streamIds)) {
        const o = objs.find((x) => x.id === id)
        if (o)
          sSnaps.push({
            id: o.id,
            name: o.componentName,
            x: o.x,
            y: o.y,
            ...streamEnds(o),
            props: o.properties.contained_properties,
          })
      }
      if (!uSnaps.length && !sSnaps.length) return
      // a pending position save of a deleted object would answer 404
      for (const id of [...unitIds, ...streamIds]) {
        const t = moveTimers.current.get(id)
        if (t) clearTimeout(t)
        moveTimers.current.delete(id)
      }
      const doDelete = async () => {
        for (const s of sSnaps) await E.deleteObject(fsId, ids.get('obj', s.id))
        for (const u of uSnaps) await E.deleteObject(fsId, ids.get('obj', u.id))
      }
      await run(doDelete)
      const deletedStreams = new Set(sSnaps.map((s) => s.id))
      history.push({
        label: `delete ${[...uSnaps, ...sSnaps].map((s) => s.name).join(', ')}`,
        redo: async () => void (await run(doDelete)),
        undo: async () => {
          await run(async () => {
            for (const u of uSnaps) {
              const o = await createUnitRaw(u.type, u.name, u.x, u.y)
              mapRecreated(u, o)
              await restoreProps(o, u.props)
            }
            for (const s of sSnaps) {
              const o = await createStreamRaw(
                s.name,
                ids.get('port', s.source),
                ids.get('port', s.destination),
                s.x,
                s.y,
              )
              mapRecreated(s, o)
              await restoreProps(o, s.props)
            }
            for (const u of uSnaps)
              for (const p of u.ports) {
                if (p.streamId === null || deletedStreams.has(p.streamId)) continue
                const body =
                  p.direction === 'outlet'
                    ? { source: ids.get('port', p.id) }
                    : { destination: ids.get('port', p.id) }
                await E.patchObject(fsId, ids.get('obj', p.streamId), body)
              }
          })
        },
      })
    },
    [
      allObjects,
      run,
      fsId,
      ids,
      history,
      createUnitRaw,
      createStreamRaw,
      mapRecreated,
      restoreProps,
    ],
  )

  const patchXY = useCallback(
    (id: number, x: number, y: number) => {
      const rid = ids.get('obj', id)
      const o = find(rid)
      if (o) putObject(qc, fsId, { ...o, x, y })
      const t = moveTimers.current.get(rid)
      if (t) clearTimeout(t)
      moveTimers.current.set(
        rid,
        setTimeout(() => {
          moveTimers.current.delete(rid)
          if (!find(rid)) return // deleted meanwhile
          void run(() => E.patchObject(fsId, rid, { x, y }), false)
        }, 300),
      )
    },
    [ids, find, qc, fsId, run],
  )

  /** Nodes moved (drag stop): positions saved (debounced), one undo step. */
  const moveObjects = useCallback(
    (moves: { id: number; from: { x: number; y: number }; to: { x: number; y: number } }[]) => {
      const real = moves.filter(
        (m) => Math.abs(m.from.x - m.to.x) + Math.abs(m.from.y - m.to.y) >= 1,
      )
      if (!real.length) return
      for (const m of real) patchXY(m.id, Math.round(m.to.x), Math.round(m.to.y))
      history.push({
        label: 'move',
        undo: async () =>
          real.forEach((m) => patchXY(m.id, Math.round(m.from.x), Math.round(m.from.y))),
        redo: async () =>
          real.forEach((m) => patchXY(m.id, Math.round(m.to.x), Math.round(m.to.y))),
      })
    },
    [patchXY, history],
  )

  const setProperty = useCallback(
    async (objId: number, prop: PropertyInfo, patch: PropPatch) => {
      const before: PropPatch = prop.fixed
        ? { value: prop.value, unit: prop.unit, fixed: true }
        : { unit: prop.unit, fixed: false }
      const apply = (p: PropPatch) =>
        run(async () => {
          const np = await E.patchProperty(fsId, ids.get('prop', prop.id), p)
          const o = find(ids.get('obj', objId))
          if (o)
            putObject(qc, fsId, {
              ...o,
              properties: {
                ...o.properties,
                contained_properties: o.properties.contained_properties.map((x) =>
                  x.id === np.id ? { ...x, ...np } : x,
                ),
              },
            })
          return np
        }, false)
      const r = await apply(patch)
      if (r && (patch.value !== undefined || patch.fixed !== undefined))
        history.push({
          label: `set ${prop.displayName}`,
          undo: async () => void (await apply(before)),
          redo: async () => void (await apply(patch)),
        })
      return r
    },
    [run, fsId, ids, find, qc, history],
  )

  const rename = useCallback(
    async (objId: number, name: string) => {
      const o = find(objId)
      if (!o || o.componentName === name) return
      const old = o.componentName
      const apply = (n: string) =>
        run(
          async () =>
            putObject(
              qc,
              fsId,
              await E.patchObject(fsId, ids.get('obj', objId), { componentName: n }),
            ),
          false,
        )
      await apply(name)
      history.push({
        label: `rename ${old}`,
        undo: async () => void (await apply(old)),
        redo: async () => void (await apply(name)),
      })
    },
    [find, run, qc, fsId, ids, history],
  )

  /** Change a unit's args (e.g. num_inlets): its ports follow; undoable. */
  const setArgs = useCallback(
    async (objId: number, change: Record<string, number | string | boolean>) => {
      const o = find(objId)
      if (!o) return
      const old: Record<string, number | string | boolean> = {}
      for (const k of Object.keys(change)) if (o.args?.[k] !== undefined) old[k] = o.args[k]
      const apply = (args: Record<string, number | string | boolean>) =>
        run(
          async () =>
            putObject(qc, fsId, await E.patchObject(fsId, ids.get('obj', objId), { args })),
          false,
        )
      await apply(change)
      history.push({
        label: `change ${o.componentName}`,
        undo: async () => void (await apply(old)),
        redo: async () => void (await apply(change)),
      })
    },
    [find, run, qc, fsId, ids, history],
  )

  const solve = useCallback(async () => {
    if (solving) return
    const started = performance.now()
    setSolving({ started })
    try {
      // wait for queued writes (positions, properties) so the solve sees them
      for (const [id, t] of moveTimers.current) {
        clearTimeout(t)
        moveTimers.current.delete(id)
        const o = find(id)
        if (o) void run(() => E.patchObject(fsId, id, { x: o.x, y: o.y }), false)
      }
      let r: SolveResult
      try {
        r = await queue.run(() => E.solve(fsId))
      } catch (e) {
        if (e instanceof ApiError && e.status === 422 && e.body && typeof e.body === 'object')
          r = e.body as SolveResult
        else throw e
      }
      qc.setQueryData(k.results, r)
      setLastSolveMs(performance.now() - started)
      setSolving(null)
      setError(null)
      // then, in the background: computed values, and the version after the solve (queued, so
      // the next write waits for it)
      void queue
        .run(async () => qc.setQueryData(k.fs, await E.getFlowsheet(fsId)))
        .then(() =>
          Promise.all([
            qc.invalidateQueries({ queryKey: k.units }),
            qc.invalidateQueries({ queryKey: k.streams }),
          ]),
        )
        .catch((e: unknown) => setError(describeError(e)))
    } catch (e) {
      setError(describeError(e))
    } finally {
      setSolving(null)
    }
  }, [solving, queue, fsId, qc, k, find, run])

  const reload = useCallback(async () => {
    setVersion(fsId, null)
    setConflict(null)
    setError(null)
    await qc.invalidateQueries({
      predicate: (q) => Array.isArray(q.queryKey) && q.queryKey[1] === fsId,
    })
  }, [qc, fsId])

  return {
    fs,
    units,
    streams,
    catalogue,
    analysis,
    results,
    history,
    error,
    setError,
    conflict,
    pending,
    solving,
    lastSolveMs,
    actions: {
      addUnit,
      addStream,
      setStreamEnds,
      deleteObjects,
      moveObjects,
      setProperty,
      rename,
      setArgs,
      solve,
      reload,
    },
    undo: () => history.undo(),
    redo: () => history.redo(),
  }
}

export type EditorModel = ReturnType<typeof useEditor>
