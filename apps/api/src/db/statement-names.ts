/**
 * Which statements to prepare by name, for a connection that keeps its session (the embedded
 * database: one PGlite session, one connection). A statement text gets a name once it has been
 * run `threshold` times, as pgjdbc's `prepareThreshold` does: PostgreSQL then parses it once and
 * keeps its plan (a generic plan after five runs, when that is not worse), instead of parsing and
 * planning every run. PGlite runs PostgreSQL as WebAssembly, where parsing and planning a statement
 * cost about as much as running it: named, statements take about a third less time
 * (apps/api/bench/pglite-wire.bench.ts).
 *
 * Bounded: at most `max` names (the hot statements are met first: the warm-up runs the main routes
 * and a solve), and the run counts of at most `track` texts not yet named (statements built with a
 * varying number of parameters are many texts, each run a few times; their counts are forgotten,
 * oldest first).
 *
 * Not for PostgreSQL behind PgBouncer in transaction mode: a named statement lives in the server
 * session it was prepared in, and the pooler hands each transaction to any of them.
 */
export class StatementNames {
  readonly #names = new Map<string, string>()
  readonly #counts = new Map<string, number>()

  constructor(
    /** prefix of the names, unique to the connection (its statements are freed by it) */
    readonly prefix: string,
    private readonly opts: { threshold?: number; max?: number; track?: number } = {},
  ) {}

  /** The name to run `text` under, or undefined to run it unnamed (this time). */
  nameFor(text: string): string | undefined {
    const named = this.#names.get(text)
    if (named !== undefined) return named
    const { threshold = 3, max = 200, track = 1000 } = this.opts
    if (this.#names.size >= max) return undefined
    const seen = (this.#counts.get(text) ?? 0) + 1
    if (seen >= threshold) {
      this.#counts.delete(text)
      const name = `${this.prefix}${this.#names.size + 1}`
      this.#names.set(text, name)
      return name
    }
    // most recently seen last; the oldest count goes when there are too many
    this.#counts.delete(text)
    this.#counts.set(text, seen)
    if (this.#counts.size > track) {
      const oldest = this.#counts.keys().next().value
      if (oldest !== undefined) this.#counts.delete(oldest)
    }
    return undefined
  }

  /** how many statements are named */
  get size(): number {
    return this.#names.size
  }
}
