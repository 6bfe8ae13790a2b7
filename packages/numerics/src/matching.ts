/**
 * Structural analysis of a sparse system: maximum bipartite matching (equations x variables),
 * the coarse Dulmage-Mendelsohn decomposition and block triangularisation (Tarjan's strongly
 * connected components). References: Duff, Erisman & Reid, "Direct Methods for Sparse Matrices"
 * (ch. 6); Pothen & Fan, ACM TOMS 16 (1990) 303-324; Tarjan, SIAM J. Comput. 1 (1972) 146-160.
 */

/** `rows[i]` lists the variable (column) indices that equation i depends on. */
export type Incidence = readonly (readonly number[])[]

export interface Matching {
  /** matched column of each row, or -1 */
  rowMatch: Int32Array
  /** matched row of each column, or -1 */
  colMatch: Int32Array
  size: number
}

/** Maximum matching by augmenting paths (depth-first, iterative), after a greedy start. */
export function maximumMatching(rows: Incidence, nCols: number): Matching {
  const nRows = rows.length
  const rowMatch = new Int32Array(nRows).fill(-1)
  const colMatch = new Int32Array(nCols).fill(-1)
  let size = 0
  // greedy
  for (let r = 0; r < nRows; r++) {
    for (const c of rows[r]) {
      if (colMatch[c] === -1) {
        colMatch[c] = r
        rowMatch[r] = c
        size++
        break
      }
    }
  }
  const visited = new Int32Array(nCols).fill(-1)
  const stackRow: number[] = []
  const stackIdx: number[] = []
  const parentCol: number[] = []
  for (let r0 = 0; r0 < nRows; r0++) {
    if (rowMatch[r0] !== -1) continue
    // DFS over alternating paths from r0
    stackRow.length = 0
    stackIdx.length = 0
    parentCol.length = 0
    stackRow.push(r0)
    stackIdx.push(0)
    let found = -1
    while (stackRow.length > 0 && found < 0) {
      const top = stackRow.length - 1
      const r = stackRow[top]
      const adj = rows[r]
      if (stackIdx[top] >= adj.length) {
        stackRow.pop()
        stackIdx.pop()
        parentCol.pop()
        continue
      }
      const c = adj[stackIdx[top]++]
      if (visited[c] === r0) continue
      visited[c] = r0
      if (colMatch[c] === -1) {
        found = c
        parentCol.push(c)
        break
      }
      parentCol.push(c)
      stackRow.push(colMatch[c])
      stackIdx.push(0)
    }
    if (found >= 0) {
      // augment along stackRow[k] -> parentCol[k]
      for (let k = stackRow.length - 1; k >= 0; k--) {
        const r = stackRow[k]
        const c = parentCol[k]
        rowMatch[r] = c
        colMatch[c] = r
      }
      size++
    }
  }
  return { rowMatch, colMatch, size }
}

export interface DmDecomposition {
  matching: Matching
  /** over-determined part: rows reachable from unmatched rows by alternating paths */
  overRows: number[]
  overCols: number[]
  /** under-determined part: columns reachable from unmatched columns by alternating paths */
  underRows: number[]
  underCols: number[]
  /** rows / columns of the well-determined (square) part */
  squareRows: number[]
  squareCols: number[]
  /** unmatched rows (equations left over) and columns (free variables) */
  unmatchedRows: number[]
  unmatchedCols: number[]
}

/** Coarse Dulmage-Mendelsohn decomposition of the incidence matrix. */
export function dulmageMendelsohn(rows: Incidence, nCols: number): DmDecomposition {
  const m = maximumMatching(rows, nCols)
  const nRows = rows.length
  const colRows: number[][] = Array.from({ length: nCols }, () => [])
  for (let r = 0; r < nRows; r++) for (const c of rows[r]) colRows[c].push(r)

  // over part: from unmatched rows, row -> any col in row -> matched row of that col
  const overRow = new Uint8Array(nRows)
  const overCol = new Uint8Array(nCols)
  const unmatchedRows: number[] = []
  const queue: number[] = []
  for (let r = 0; r < nRows; r++)
    if (m.rowMatch[r] === -1) {
      unmatchedRows.push(r)
      overRow[r] = 1
      queue.push(r)
    }
  while (queue.length) {
    const r = queue.pop() as number
    for (const c of rows[r]) {
      if (overCol[c]) continue
      overCol[c] = 1
      const r2 = m.colMatch[c]
      if (r2 >= 0 && !overRow[r2]) {
        overRow[r2] = 1
        queue.push(r2)
      }
    }
  }
  // under part: from unmatched cols, col -> any row using it -> matched col of that row
  const underRow = new Uint8Array(nRows)
  const underCol = new Uint8Array(nCols)
  const unmatchedCols: number[] = []
  for (let c = 0; c < nCols; c++)
    if (m.colMatch[c] === -1) {
      unmatchedCols.push(c)
      underCol[c] = 1
      queue.push(c)
    }
  while (queue.length) {
    const c = queue.pop() as number
    for (const r of colRows[c]) {
      if (underRow[r]) continue
      underRow[r] = 1
      const c2 = m.rowMatch[r]
      if (c2 >= 0 && !underCol[c2]) {
        underCol[c2] = 1
        queue.push(c2)
      }
    }
  }
  const pick = (n: number, f: (i: number) => boolean) => {
    const out: number[] = []
    for (let i = 0; i < n; i++) if (f(i)) out.push(i)
    return out
  }
  return {
    matching: m,
    overRows: pick(nRows, (i) => overRow[i] === 1),
    overCols: pick(nCols, (i) => overCol[i] === 1),
    underRows: pick(nRows, (i) => underRow[i] === 1 && !overRow[i]),
    underCols: pick(nCols, (i) => underCol[i] === 1 && !overCol[i]),
    squareRows: pick(nRows, (i) => !overRow[i] && !underRow[i]),
    squareCols: pick(nCols, (i) => !overCol[i] && !underCol[i]),
    unmatchedRows,
    unmatchedCols,
  }
}

export interface Block {
  rows: number[]
  cols: number[]
}

/**
 * Block lower-triangular order of a square, structurally non-singular system with a perfect
 * matching: the strongly connected components (Tarjan) of the graph row -> rows whose matched
 * variables it uses, emitted so that each block only needs variables of earlier blocks.
 */
export function blockTriangularize(
  rows: Incidence,
  rowMatch: Int32Array,
  colMatch: Int32Array,
): Block[] {
  const n = rows.length
  const index = new Int32Array(n).fill(-1)
  const low = new Int32Array(n)
  const onStack = new Uint8Array(n)
  const stack: number[] = []
  const blocks: Block[] = []
  let counter = 0
  // iterative Tarjan
  const callStack: number[] = []
  const iterPos: number[] = []
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue
    callStack.push(s)
    iterPos.push(0)
    index[s] = low[s] = counter++
    stack.push(s)
    onStack[s] = 1
    while (callStack.length) {
      const v = callStack[callStack.length - 1]
      const adj = rows[v]
      const pos = iterPos[iterPos.length - 1]
      if (pos < adj.length) {
        iterPos[iterPos.length - 1] = pos + 1
        const w = colMatch[adj[pos]]
        if (w < 0 || w === v) continue
        if (index[w] === -1) {
          index[w] = low[w] = counter++
          stack.push(w)
          onStack[w] = 1
          callStack.push(w)
          iterPos.push(0)
        } else if (onStack[w]) {
          if (index[w] < low[v]) low[v] = index[w]
        }
      } else {
        callStack.pop()
        iterPos.pop()
        if (callStack.length) {
          const u = callStack[callStack.length - 1]
          if (low[v] < low[u]) low[u] = low[v]
        }
        if (low[v] === index[v]) {
          const bRows: number[] = []
          let w: number
          do {
            w = stack.pop() as number
            onStack[w] = 0
            bRows.push(w)
          } while (w !== v)
          bRows.sort((a, b) => a - b)
          blocks.push({ rows: bRows, cols: bRows.map((r) => rowMatch[r]) })
        }
      }
    }
  }
  // Tarjan emits SCCs in reverse topological order of the "depends on" graph, i.e. a block is
  // emitted after every block it depends on: already the solve order.
  return blocks
}
