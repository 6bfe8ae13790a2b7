/** Save text as a file through a temporary link (the browser's download). */
export function downloadText(filename: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

export function safeFileName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'flowsheet'
}

/** Which format an imported JSON document is in: Ahuora FlowsheetSchema has unit_models/arcs. */
export function detectFormat(doc: unknown): 'rere' | 'ahuora' {
  if (doc && typeof doc === 'object') {
    const o = doc as Record<string, unknown>
    if (o.format === 'rere' || o.rere !== undefined) return 'rere'
    if ('unit_models' in o || 'arcs' in o) return 'ahuora'
  }
  return 'rere'
}
