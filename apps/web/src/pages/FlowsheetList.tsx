import { useRef, useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { describeError } from '../api/client.ts'
import {
  createFlowsheet,
  deleteFlowsheet,
  duplicateFlowsheet,
  exportFlowsheet,
  importFlowsheet,
  listFlowsheets,
  renameFlowsheet,
} from '../api/endpoints.ts'
import type { Flowsheet } from '../api/types.ts'
import { ConfirmDialog } from '../components/ConfirmDialog.tsx'
import { detectFormat, downloadText, safeFileName } from '../lib/download.ts'
import { navigate } from '../lib/router.ts'

export function FlowsheetList() {
  const qc = useQueryClient()
  const list = useQuery({ queryKey: ['flowsheets'], queryFn: listFlowsheets })
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [renaming, setRenaming] = useState<{ id: number; name: string } | null>(null)
  const [deleting, setDeleting] = useState<Flowsheet | null>(null)
  const fileRef = useRef<HTMLInputElement>(null)
  const refresh = () => qc.invalidateQueries({ queryKey: ['flowsheets'] })
  const fail = (e: unknown) => setError(describeError(e))

  const create = useMutation({
    mutationFn: (n: string) => createFlowsheet(n),
    onSuccess: (fs) => {
      refresh()
      navigate(`/flowsheets/${fs.id}`)
    },
    onError: fail,
  })

  async function onImport(file: File) {
    setError(null)
    try {
      const doc: unknown = JSON.parse(await file.text())
      const fs = await importFlowsheet(detectFormat(doc), doc, file.name.replace(/\.json$/i, ''))
      await refresh()
      navigate(`/flowsheets/${fs.id}`)
    } catch (e) {
      fail(e instanceof SyntaxError ? new Error(`${file.name} is not valid JSON`) : e)
    }
  }

  async function onExport(fs: Flowsheet, format: 'rere' | 'ahuora') {
    try {
      const doc = await exportFlowsheet(fs.id, format)
      downloadText(`${safeFileName(fs.name)}.${format}.json`, JSON.stringify(doc, null, 2))
    } catch (e) {
      fail(e)
    }
  }

  return (
    <main className="list-page">
      <h1>Flowsheets</h1>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault()
          setError(null)
          create.mutate(name.trim() || 'Untitled flowsheet')
        }}
      >
        <label htmlFor="new-name">New flowsheet name</label>
        <input
          id="new-name"
          value={name}
          placeholder="Untitled flowsheet"
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="primary" disabled={create.isPending}>
          Create flowsheet
        </button>
        <button type="button" onClick={() => fileRef.current?.click()}>
          Import JSON…
        </button>
        <input
          ref={fileRef}
          type="file"
          accept=".json,application/json"
          aria-label="Import file"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0]
            e.target.value = ''
            if (f) void onImport(f)
          }}
        />
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {list.isLoading && <p>Loading…</p>}
      {list.error && (
        <p role="alert" className="error">
          {describeError(list.error)}
        </p>
      )}
      {list.data && list.data.length === 0 && <p>No flowsheets yet: create one above.</p>}
      {list.data && list.data.length > 0 && (
        <table className="sheets">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Package</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((fs) => (
              <tr key={fs.id}>
                <td>
                  {renaming?.id === fs.id ? (
                    <form
                      onSubmit={(e) => {
                        e.preventDefault()
                        renameFlowsheet(fs.id, renaming.name.trim() || fs.name)
                          .then(refresh, fail)
                          .finally(() => setRenaming(null))
                      }}
                    >
                      <input
                        aria-label={`New name for ${fs.name}`}
                        autoFocus
                        value={renaming.name}
                        onChange={(e) => setRenaming({ id: fs.id, name: e.target.value })}
                        onKeyDown={(e) => e.key === 'Escape' && setRenaming(null)}
                      />
                      <button type="submit">Save</button>
                    </form>
                  ) : (
                    <a
                      href={`/flowsheets/${fs.id}`}
                      onClick={(e) => {
                        e.preventDefault()
                        navigate(`/flowsheets/${fs.id}`)
                      }}
                    >
                      {fs.name}
                    </a>
                  )}
                </td>
                <td>
                  {fs.propertyPackage
                    ? `${fs.propertyPackage.name} (${fs.propertyPackage.compounds.join(', ')})`
                    : ''}
                </td>
                <td>
                  <time dateTime={fs.updatedAt}>{new Date(fs.updatedAt).toLocaleString()}</time>
                </td>
                <td className="actions">
                  <button
                    type="button"
                    aria-label={`Rename ${fs.name}`}
                    onClick={() => setRenaming({ id: fs.id, name: fs.name })}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    aria-label={`Duplicate ${fs.name}`}
                    onClick={() =>
                      duplicateFlowsheet(fs.id, `${fs.name} (copy)`).then(refresh, fail)
                    }
                  >
                    Duplicate
                  </button>
                  <button
                    type="button"
                    aria-label={`Export ${fs.name} (Rere)`}
                    onClick={() => void onExport(fs, 'rere')}
                  >
                    Export
                  </button>
                  <button
                    type="button"
                    aria-label={`Export ${fs.name} (Ahuora)`}
                    onClick={() => void onExport(fs, 'ahuora')}
                  >
                    Ahuora
                  </button>
                  <button
                    type="button"
                    className="danger"
                    aria-label={`Delete ${fs.name}`}
                    onClick={() => setDeleting(fs)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {deleting && (
        <ConfirmDialog
          title="Delete flowsheet"
          message={`Delete “${deleting.name}” and everything in it? This cannot be undone.`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const id = deleting.id
            setDeleting(null)
            deleteFlowsheet(id).then(refresh, fail)
          }}
        />
      )}
    </main>
  )
}
