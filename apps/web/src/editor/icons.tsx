// Inline SVG symbols for unit operations (ISO 10628-ish process symbols, simplified).
const S = { fill: 'none', stroke: 'currentColor', strokeWidth: 2, strokeLinejoin: 'round' } as const

function shape(type: string) {
  const t = type.toLowerCase()
  if (t.includes('pump'))
    return (
      <>
        <circle cx="20" cy="20" r="14" {...S} />
        <path d="M14 9 L33 20 L14 31" {...S} />
      </>
    )
  if (t.includes('compressor')) return <path d="M6 8 L34 14 L34 26 L6 32 Z" {...S} />
  if (t.includes('turbine') || t.includes('expander'))
    return <path d="M6 14 L34 8 L34 32 L6 26 Z" {...S} />
  if (t.includes('valve'))
    return (
      <>
        <path d="M5 11 L35 29 L35 11 L5 29 Z" {...S} />
        <path d="M20 20 L20 8 M14 8 L26 8" {...S} />
      </>
    )
  if (t.includes('exchanger') || t === 'hx')
    return (
      <>
        <circle cx="20" cy="20" r="14" {...S} />
        <path d="M4 20 L12 20 L16 12 L24 28 L28 20 L36 20" {...S} />
      </>
    )
  if (t.includes('cooler') || t.includes('condenser'))
    return (
      <>
        <rect x="5" y="9" width="30" height="22" rx="3" {...S} />
        <path d="M20 12 L20 28 M13 16 L27 24 M13 24 L27 16" {...S} />
      </>
    )
  if (t.includes('heater') || t.includes('boiler'))
    return (
      <>
        <rect x="5" y="9" width="30" height="22" rx="3" {...S} />
        <path d="M20 28 C12 24 16 18 20 12 C24 18 28 24 20 28 Z" {...S} />
      </>
    )
  if (t.includes('mixer') || t.includes('header'))
    return (
      <>
        <path d="M6 8 L34 20 L6 32 Z" {...S} />
      </>
    )
  if (t.includes('splitter') || t.includes('split')) return <path d="M34 8 L6 20 L34 32 Z" {...S} />
  if (t.includes('flash') || t.includes('separator') || t.includes('tank') || t.includes('drum'))
    return (
      <>
        <rect x="11" y="4" width="18" height="32" rx="9" {...S} />
        <path d="M11 22 L29 22" {...S} strokeDasharray="3 2" />
      </>
    )
  return (
    <>
      <rect x="5" y="8" width="30" height="24" rx="4" {...S} />
      <text x="20" y="24" textAnchor="middle" fontSize="11" fill="currentColor">
        {type.slice(0, 3).toUpperCase()}
      </text>
    </>
  )
}

export function UnitIcon({ type, size = 36 }: { type: string; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 40 40" aria-hidden="true" focusable="false">
      {shape(type)}
    </svg>
  )
}

export function StreamEndIcon({ kind }: { kind: 'feed' | 'product' }) {
  return (
    <svg width="22" height="16" viewBox="0 0 22 16" aria-hidden="true" focusable="false">
      {kind === 'feed' ? (
        <path d="M1 2 L14 2 L21 8 L14 14 L1 14 Z" {...S} strokeWidth={1.5} />
      ) : (
        <path d="M1 2 L8 8 L1 14 L21 14 L21 2 Z" {...S} strokeWidth={1.5} />
      )}
    </svg>
  )
}
