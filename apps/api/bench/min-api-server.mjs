// A baseline of the API benchmark: the least a PostgreSQL-backed list can do. A Fastify server
// (no hooks, no logger) that answers GET / with fixed bytes (the one-pump list) after the one
// query the API's list makes when its cached body is current (the flowsheet's version and newest
// solve run, by id and owner: the function rere_sheet_head), through node-postgres (here: to
// PgBouncer).
// env: DATABASE_URL, BODY_FILE, FLOWSHEET_ID, OWNER_ID, PORT (0 = any)
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'
import pg from 'pg'

const body = readFileSync(process.env.BODY_FILE, 'utf8')
const id = Number.parseInt(process.env.FLOWSHEET_ID, 10)
const owner = Number.parseInt(process.env.OWNER_ID, 10)
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
const app = Fastify({ logger: false })
app.get('/', async (_req, reply) => {
  const r = await pool.query(`select version, run from rere_sheet_head(${id}, ${owner})`)
  if (r.rows[0].version === null) return reply.code(404).send({ code: 'NOT_FOUND' })
  return reply.type('application/json; charset=utf-8').send(body)
})
const url = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
process.stdout.write(JSON.stringify({ url }) + '\n')
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
)
