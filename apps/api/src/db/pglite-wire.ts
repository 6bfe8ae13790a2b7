/**
 * node-postgres over the embedded PGlite, in this process: a Duplex that node-postgres takes as
 * its socket (`stream` option) and that hands the frontend's protocol messages to PGlite's own
 * wire-protocol entry (`execProtocolRaw`, on the database's thread: pglite-host.ts and
 * pglite-worker.mjs), returning PGlite's replies as the server's bytes.
 *
 * So the embedded database is driven by the same driver, type parsers and Kysely dialect as
 * PostgreSQL, and a statement costs PGlite one call per protocol message with none of the
 * work PGlite's `query()` adds around it (a Describe of the statement before binding, its own
 * result parsing). `apps/api/bench/pglite-wire.bench.ts` compares the two: the API's thread
 * spends a third to a half of what `query()` cost it per statement.
 *
 * What PGlite (0.4) does not do as a server, done here:
 * - the startup exchange: PGlite has one session, already open; the Duplex answers the
 *   StartupMessage itself (AuthenticationOk, the usual ParameterStatus values,
 *   ReadyForQuery) and SSLRequest with 'N';
 * - the messages a statement writes in one go (Parse, Bind, Describe, Execute, Sync) cross to
 *   the database's thread together; there PGlite takes them one by one (see pglite-worker.mjs);
 * - Terminate ends this stream, not PGlite's session, which the next connection reuses. A
 *   connection that ends inside a transaction has it rolled back first, and the statements it
 *   prepared by name are deallocated (`PGliteClient` names its hot statements).
 *
 * PGlite has one session: use one connection at a time (a pool of one).
 */
import { Duplex } from 'node:stream'
import pg from 'pg'
import { StatementNames } from './statement-names.ts'

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const PROTOCOL_3 = 196608
/** message type of Terminate */
const TERMINATE = 0x58

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4)
  b.writeInt32BE(n)
  return b
}

const parameterStatus = (name: string, value: string) =>
  message('S', Buffer.from(`${name}\0${value}\0`, 'utf8'))

/** The server's half of the startup exchange. */
function startupReply(serverVersion: string): Buffer {
  return Buffer.concat([
    message('R', int32(0)), // AuthenticationOk
    parameterStatus('server_version', serverVersion),
    parameterStatus('server_encoding', 'UTF8'),
    parameterStatus('client_encoding', 'UTF8'),
    parameterStatus('DateStyle', 'ISO, MDY'),
    parameterStatus('integer_datetimes', 'on'),
    parameterStatus('standard_conforming_strings', 'on'),
    parameterStatus('TimeZone', 'UTC'),
    message('K', Buffer.concat([int32(1), int32(0)])), // BackendKeyData (cancel is not offered)
    message('Z', Buffer.from('I')), // ReadyForQuery, idle
  ])
}

/** What the wire needs of the database's thread (PGliteHost). */
export interface WireHost {
  serverVersion: string
  run(bytes: Uint8Array): Promise<Uint8Array>
  /** the connection ended: roll back its open transaction, free its named statements */
  endSession(statementPrefix?: string): Promise<void>
}

export class PGliteWire extends Duplex {
  #pending: Buffer[] = []
  #started = false
  #ended = false
  #draining = false

  constructor(
    private readonly host: WireHost,
    /** the prefix of the names of the statements this connection prepares (freed at its end) */
    private readonly statementPrefix?: string,
  ) {
    super()
  }

  // the socket methods node-postgres calls
  connect(): this {
    queueMicrotask(() => this.emit('connect'))
    return this
  }
  setNoDelay(): this {
    return this
  }
  setKeepAlive(): this {
    return this
  }
  ref(): this {
    return this
  }
  unref(): this {
    return this
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (e?: Error | null) => void) {
    // taken at once: what the client writes in one go (a whole statement) leaves together
    this.#pending.push(chunk)
    if (!this.#draining) {
      this.#draining = true
      queueMicrotask(() => void this.#drain())
    }
    done()
  }

  override _final(done: (e?: Error | null) => void) {
    this.#end().then(() => done(), done)
  }

  override _destroy(err: Error | null, done: (e: Error | null) => void) {
    this.#end().then(
      () => done(err),
      (e: unknown) => done(err ?? (e as Error)),
    )
  }

  async #end() {
    if (this.#ended) return
    this.#ended = true
    // the session outlives this connection: leave it idle for the next one
    if (this.#started) await this.host.endSession(this.statementPrefix)
    this.push(null)
  }

  /**
   * Send what was written, in order, one batch at a time (writes made while a batch is out go
   * with the next; the loop runs until nothing complete is left).
   */
  async #drain() {
    try {
      while (this.#pending.length > 0 && !this.#ended) {
        let buf = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending)
        this.#pending = []
        if (!this.#started) {
          // the StartupMessage (or an SSLRequest before it): answered here
          if (buf.length < 8 || buf.length < buf.readInt32BE(0)) {
            this.#pending.unshift(buf)
            break
          }
          const len = buf.readInt32BE(0)
          const code = buf.readInt32BE(4)
          buf = buf.subarray(len)
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) this.push(Buffer.from('N'))
          else if (code !== PROTOCOL_3) throw new Error(`unsupported protocol version ${code}`)
          else {
            this.#started = true
            this.push(startupReply(this.host.serverVersion))
          }
          if (buf.length > 0) this.#pending.unshift(buf)
          continue
        }
        // whole messages go to the database; a Terminate among them ends the stream
        let at = 0
        let terminate = false
        while (at + 5 <= buf.length) {
          const end = at + 1 + buf.readInt32BE(at + 1)
          if (end > buf.length) break
          if (buf[at] === TERMINATE) {
            terminate = true
            break
          }
          at = end
        }
        if (!terminate && at < buf.length) this.#pending.unshift(buf.subarray(at))
        // a partial message waits for its rest (the write that brings it drains again)
        if (at === 0 && !terminate) break
        if (at > 0) {
          const out = await this.host.run(buf.subarray(0, at))
          if (out.length > 0 && !this.#ended)
            this.push(Buffer.from(out.buffer, out.byteOffset, out.byteLength))
        }
        if (terminate) {
          await this.#end()
          break
        }
      }
    } catch (e) {
      this.destroy(e as Error)
    } finally {
      this.#draining = false
    }
  }
}

let connections = 0

/**
 * The node-postgres client class of the embedded database on `host`: each client's socket is a
 * PGliteWire, and the statements it runs often (with parameters) are prepared by name
 * (`StatementNames`), which PGlite's session keeps until the client's connection ends.
 */
export function pgliteClientClass(
  host: WireHost,
  naming: ConstructorParameters<typeof StatementNames>[1] = {},
): typeof pg.Client {
  return class PGliteClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      const names = new StatementNames(`rere_c${++connections}_`, naming)
      super({ ...config, stream: () => new PGliteWire(host, names.prefix) })
      const query = this.query.bind(this) as (...args: unknown[]) => unknown
      // Kysely and the pool call query(text, values[, callback])
      this.query = ((text: unknown, values?: unknown, callback?: unknown) => {
        if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
          const name = names.nameFor(text)
          if (name !== undefined) return query({ name, text, values }, callback)
        }
        return query(text, values, callback)
      }) as typeof this.query
    }
  }
}
