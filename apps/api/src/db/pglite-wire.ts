/**
 * node-postgres over the embedded PGlite, in this process: a Duplex that node-postgres takes as
 * its socket (`stream` option) and that hands the frontend's protocol messages to PGlite's own
 * wire-protocol entry (`execProtocolRaw`), returning PGlite's replies as the server's bytes.
 *
 * So the embedded database is driven by the same driver, type parsers and Kysely dialect as
 * PostgreSQL, and a statement costs PGlite one call per protocol message with none of the
 * work PGlite's `query()` adds around it (a Describe of the statement before binding, its own
 * result parsing): measured on the development VM, a parameterised `select` took 0.10-0.15 ms this
 * way against 0.29-0.31 ms through `query()`, an insert of a 6 KiB JSON 0.33 ms against 0.62 ms.
 *
 * What PGlite (0.4) does not do as a server, done here:
 * - the startup exchange: PGlite has one session, already open; the Duplex answers the
 *   StartupMessage itself (AuthenticationOk, the usual ParameterStatus values,
 *   ReadyForQuery) and SSLRequest with 'N';
 * - PGlite takes one message per call (several in one buffer lose the ReadyForQuery after an
 *   error), so messages are cut out of the byte stream and handed over one by one;
 * - after an error in an extended-query message PGlite answers ReadyForQuery at once, and again
 *   at the Sync: only Sync and simple Query may produce ReadyForQuery, so the early one is
 *   dropped (otherwise the client would pair the next statement's reply with this one);
 * - Terminate ends this stream, not PGlite's session, which the next connection reuses. A
 *   connection that ends inside a transaction has it rolled back first.
 *
 * PGlite has one session: use one connection at a time (a pool of one).
 */
import { Duplex } from 'node:stream'
import type { PGlite } from '@electric-sql/pglite'

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104
const PROTOCOL_3 = 196608
/** message types: Sync, Query, Terminate, ReadyForQuery */
const SYNC = 0x53
const QUERY = 0x51
const TERMINATE = 0x58
const READY = 0x5a

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

/** `bytes` without its ReadyForQuery messages. */
function withoutReady(bytes: Buffer): Buffer {
  const kept: Buffer[] = []
  for (let at = 0; at + 5 <= bytes.length;) {
    const end = at + 1 + bytes.readInt32BE(at + 1)
    if (bytes[at] !== READY) kept.push(bytes.subarray(at, end))
    at = end
  }
  return kept.length === 1 ? kept[0] : Buffer.concat(kept)
}

export class PGliteWire extends Duplex {
  #pending: Buffer = Buffer.alloc(0)
  #started = false
  #ended = false
  #ready = false

  constructor(
    private readonly pglite: PGlite,
    private readonly serverVersion = '17',
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
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk])
    this.#drain().then(() => done(), done)
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
    if (this.#started && !this.pglite.closed && this.pglite.isInTransaction())
      await this.pglite.exec('rollback')
    this.push(null)
  }

  /** Hand every complete message in `#pending` to PGlite, in order. */
  async #drain() {
    if (!this.#ready) {
      await this.pglite.waitReady
      this.#ready = true
    }
    const replies: Buffer[] = []
    let buf = this.#pending
    let at = 0
    while (!this.#ended) {
      if (!this.#started) {
        if (buf.length - at < 8) break
        const len = buf.readInt32BE(at)
        if (buf.length - at < len) break
        const code = buf.readInt32BE(at + 4)
        at += len
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          replies.push(Buffer.from('N'))
          continue
        }
        if (code !== PROTOCOL_3) throw new Error(`unsupported protocol version ${code}`)
        this.#started = true
        replies.push(startupReply(this.serverVersion))
        continue
      }
      if (buf.length - at < 5) break
      const end = at + 1 + buf.readInt32BE(at + 1)
      if (buf.length < end) break
      const type = buf[at]
      if (type === TERMINATE) {
        at = end
        this.#flush(replies)
        await this.#end()
        break
      }
      const msg = buf.subarray(at, end)
      at = end
      const statementEnd = type === SYNC || type === QUERY
      const out = await this.pglite.execProtocolRaw(
        new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength),
        // the file system is brought up to date once per statement (a no-op on disk and in memory)
        { syncToFs: statementEnd },
      )
      if (out.length === 0) continue
      const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength)
      replies.push(statementEnd ? bytes : withoutReady(bytes))
    }
    this.#pending = buf.subarray(at)
    if (this.#pending.length === 0) buf = this.#pending = Buffer.alloc(0)
    this.#flush(replies)
  }

  #flush(replies: Buffer[]) {
    if (replies.length === 0 || this.#ended) return
    this.push(replies.length === 1 ? replies[0] : Buffer.concat(replies))
    replies.length = 0
  }
}
