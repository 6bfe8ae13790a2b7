/**
 * Writes to the embedded database, counted. PGlite belongs to this process alone (one process
 * opens a data directory), so every change to its data passes through here: a Kysely plugin
 * sees each statement before and after it runs and bumps `epoch` for anything that is not a
 * plain read. A cache entry tagged with the epoch it was read at is exactly as fresh as the
 * database while the epoch stands, with no query to ask. (Several API processes over one
 * PostgreSQL have no such guarantee; their caches ask the database.)
 */
import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely'

const WRITE_NODE =
  /^(Insert|Update|Delete|Merge)QueryNode$|^(Create|Alter|Drop|Refresh)[A-Za-z]*Node$/
const WRITE_SQL =
  /\b(insert|update|delete|merge|create|alter|drop|truncate|copy|grant|revoke|vacuum|reindex|cluster|comment|import|lock)\b/i

/** Whether a statement may change data (anything not provably a plain read counts). */
export function mayWrite(node: OperationNode): boolean {
  const stack: unknown[] = [node]
  while (stack.length > 0) {
    const n = stack.pop()
    if (n === null || typeof n !== 'object') continue
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x)
      continue
    }
    const kind = (n as { kind?: unknown }).kind
    if (typeof kind === 'string') {
      if (WRITE_NODE.test(kind)) return true
      if (
        kind === 'RawNode' &&
        (n as { sqlFragments: string[] }).sqlFragments.some((f) => WRITE_SQL.test(f))
      )
        return true
    }
    for (const v of Object.values(n)) if (v !== null && typeof v === 'object') stack.push(v)
  }
  return false
}

export class LocalWrites implements KyselyPlugin {
  /** bumped before and after every statement that may write */
  epoch = 0
  readonly #writing = new WeakSet<object>()

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (mayWrite(args.node)) {
      this.epoch++
      this.#writing.add(args.queryId)
    }
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.#writing.has(args.queryId)) this.epoch++
    return args.result
  }
}
