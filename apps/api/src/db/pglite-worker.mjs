// The embedded database's thread: owns one PGlite and runs wire-protocol messages for the API's
// thread (pglite-host.ts), so PostgreSQL's work runs beside the HTTP handling instead of inside it.
// Plain JavaScript: worker threads do not inherit the tsx loader the CLI registers.
//
// Requests (from the host, over the worker's port), each answered with { id, ... }:
//   { id, op: 'run', bytes }  whole frontend messages (no startup, no Terminate) -> { bytes }
//   { id, op: 'endSession', prefix? }  a connection closed: roll back the transaction it left open,
//                             deallocate the statements it prepared (names starting with prefix)
//   { id, op: 'dump' }        the data folder as a gzipped tar -> { bytes }
//   { id, op: 'close' }       close PGlite (the worker then exits)
// A failure answers { id, error: { message, code } }.
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'

const SYNC = 0x53
const QUERY = 0x51
const READY = 0x5a

/** `bytes` without its ReadyForQuery messages. */
function withoutReady(bytes) {
  const kept = []
  for (let at = 0; at + 5 <= bytes.length;) {
    const end = at + 1 + bytes.readInt32BE(at + 1)
    if (bytes[at] !== READY) kept.push(bytes.subarray(at, end))
    at = end
  }
  return kept.length === 1 ? kept[0] : Buffer.concat(kept)
}

/**
 * Hand each message to PGlite on its own: PGlite takes one message per call (several in one
 * buffer lose the ReadyForQuery after an error), and after an error in an extended-query message
 * it answers ReadyForQuery at once and again at the Sync. Only Sync and simple Query may produce
 * ReadyForQuery, so the early one is dropped (otherwise the client would pair the next
 * statement's reply with this one).
 */
async function run(pglite, input) {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
  const replies = []
  let size = 0
  for (let at = 0; at + 5 <= buf.length;) {
    const end = at + 1 + buf.readInt32BE(at + 1)
    if (end > buf.length) throw new Error('incomplete protocol message')
    const type = buf[at]
    const statementEnd = type === SYNC || type === QUERY
    const out = await pglite.execProtocolRaw(buf.subarray(at, end), {
      // the file system is brought up to date once per statement (a no-op on disk and in memory)
      syncToFs: statementEnd,
    })
    at = end
    if (out.length === 0) continue
    const bytes = Buffer.from(out.buffer, out.byteOffset, out.byteLength)
    const reply = statementEnd ? bytes : withoutReady(bytes)
    replies.push(reply)
    size += reply.length
  }
  const joined = new Uint8Array(size)
  let at = 0
  for (const r of replies) {
    joined.set(r, at)
    at += r.length
  }
  return joined
}

const pglite = new PGlite(workerData.dataDir ?? undefined)
let ready
try {
  await pglite.waitReady
  const v = await pglite.query('show server_version')
  ready = { serverVersion: v.rows[0]?.server_version ?? '17' }
} catch (e) {
  ready = { error: { message: String(e?.message ?? e) } }
}
parentPort.postMessage({ id: 0, ...ready })

// one request at a time, in arrival order (PGlite has one session)
let queue = Promise.resolve()
parentPort.on('message', (msg) => {
  queue = queue.then(() => handle(msg))
})

async function handle(msg) {
  try {
    switch (msg.op) {
      case 'run': {
        const bytes = await run(pglite, msg.bytes)
        parentPort.postMessage({ id: msg.id, bytes }, [bytes.buffer])
        break
      }
      case 'endSession':
        if (!pglite.closed && pglite.isInTransaction()) await pglite.exec('rollback')
        if (!pglite.closed && msg.prefix) {
          const named = await pglite.query(
            'select name from pg_prepared_statements where starts_with(name, $1)',
            [msg.prefix],
          )
          for (const { name } of named.rows)
            await pglite.exec(`deallocate "${name.replaceAll('"', '""')}"`)
        }
        parentPort.postMessage({ id: msg.id })
        break
      case 'dump': {
        const blob = await pglite.dumpDataDir('gzip')
        const bytes = new Uint8Array(await blob.arrayBuffer())
        parentPort.postMessage({ id: msg.id, bytes }, [bytes.buffer])
        break
      }
      case 'close':
        if (!pglite.closed) await pglite.close()
        parentPort.postMessage({ id: msg.id })
        parentPort.close()
        break
      default:
        throw new Error(`unknown request ${msg.op}`)
    }
  } catch (e) {
    parentPort.postMessage({
      id: msg.id,
      error: { message: String(e?.message ?? e), code: e?.code },
    })
  }
}
