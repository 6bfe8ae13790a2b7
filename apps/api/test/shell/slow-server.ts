/**
 * A real API server process for the shutdown test: the production startServer (signals, grace,
 * pool close) with a fake solver and one extra route, GET /api/test/slow/?ms=N, that takes N ms.
 * Configured by the environment like `rere api`; prints {"url": ...} when listening.
 */
import { loadApiConfig } from '../../src/config.ts'
import { openDatabase } from '../../src/db/index.ts'
import { startServer } from '../../src/server.ts'
import { createFakeSolver } from '../fake-solver.ts'

const config = loadApiConfig(process.env)
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  directUrl: config.databaseDirectUrl,
})
await database.migrate()
let inFlight = 0
const server = await startServer({
  config,
  database,
  solver: createFakeSolver(),
  configure: (app) => {
    app.get<{ Querystring: { ms?: string } }>('/api/test/slow/', async (req) => {
      inFlight++
      try {
        await new Promise((r) => setTimeout(r, Number(req.query.ms ?? 500)))
        // touch the database after the wait: the pool must still be open
        await database.ping()
        return { ok: true, id: req.id }
      } finally {
        inFlight--
      }
    })
    app.get('/api/test/inflight/', async () => ({ inFlight }))
  },
})
process.stdout.write(JSON.stringify({ url: server.url }) + '\n')
