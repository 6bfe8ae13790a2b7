// A tiny HTTP server for the toolkit's tests (run as a child process so it does not share the
// runner's event loop). Prints its port on stdout. Routes:
//   GET /delay/<ms>            200 after <ms> (precise to ~0.1 ms: timer then spin)
//   GET /status/<code>         that status
//   GET /redirect              302
//   a fake of the fixture API (flowsheets, simulation objects, property infos, unitops, solve)
//   GET /__stats               {"requests": n, "flowsheets": [...ids alive], "deleted": [...]}
// Env: RAW=1 serves a fixed `200 OK` from a bare TCP server instead (the cheapest trivial
// server, for rate tests and the runner's ceiling). DELAY_MS adds a delay to every /api/ route; TOKEN requires `Authorization: Bearer TOKEN`.
import http from 'node:http'
import net from 'node:net'

const DELAY = Number(process.env.DELAY_MS ?? 0)
const TOKEN = process.env.TOKEN
let requests = 0
let nextId = 1
const sheets = new Map()
const objects = new Map()
const props = new Map()
const deleted = []

function waitPrecise(ms, fn) {
  const until = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6))
  const spin = () => (process.hrtime.bigint() >= until ? fn() : setImmediate(spin))
  if (ms > 2) setTimeout(spin, ms - 1.5)
  else spin()
}

function json(res, status, body) {
  const s = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(s),
  })
  res.end(s)
}

function makeObject(sheet, b) {
  const id = nextId++
  const isStream = b.objectType === 'stream'
  const ports = isStream
    ? []
    : [
        { id: nextId++, name: 'inlet', direction: 'inlet', streamId: null },
        { id: nextId++, name: 'outlet', direction: 'outlet', streamId: null },
      ]
  const keys = isStream
    ? ['temperature', 'pressure', 'flow_mol', 'vapor_frac']
    : ['efficiency_pump', 'work_mechanical']
  const contained = keys.map((key) => {
    const p = { id: nextId++, key, value: null, unit: '', fixed: false }
    props.set(p.id, p)
    return p
  })
  const o = {
    id,
    flowsheetOwner: sheet,
    objectType: b.objectType,
    componentName: b.componentName ?? '',
    x: b.x ?? 0,
    y: b.y ?? 0,
    ports,
    properties: { id: nextId++, contained_properties: contained },
  }
  objects.set(id, o)
  return o
}

function route(req, res, body) {
  const u = new URL(req.url, 'http://x')
  const p = u.pathname
  let m
  if ((m = /^\/delay\/(\d+(?:\.\d+)?)$/.exec(p)))
    return waitPrecise(Number(m[1]), () => json(res, 200, { ok: true }))
  if ((m = /^\/status\/(\d+)$/.exec(p))) return json(res, Number(m[1]), {})
  if (p === '/redirect') {
    res.writeHead(302, { location: '/status/200' })
    return res.end()
  }
  if (p === '/__stats')
    return json(res, 200, { requests, flowsheets: [...sheets.keys()], deleted, pid: process.pid })
  if (p === '/api/status/') return json(res, 200, { status: 'ok', version: 'fake' })
  if (TOKEN && req.headers.authorization !== `Bearer ${TOKEN}`)
    return json(res, 401, {
      statusCode: 401,
      code: 'AUTH_REQUIRED',
      message: 'no identity',
      details: {},
    })
  const go = () => {
    if (p === '/api/flowsheets/' && req.method === 'POST') {
      const id = nextId++
      sheets.set(id, { id, name: body.name })
      return json(res, 201, { id, name: body.name, version: 1 })
    }
    if ((m = /^\/api\/flowsheets\/(\d+)\/$/.exec(p)) && req.method === 'DELETE') {
      if (!sheets.delete(Number(m[1])))
        return json(res, 404, {
          statusCode: 404,
          code: 'API_NOT_FOUND',
          message: 'no',
          details: {},
        })
      deleted.push(Number(m[1]))
      res.writeHead(204)
      return res.end()
    }
    if (p === '/api/unitops/simulationobjects/' && req.method === 'POST') {
      if (!sheets.has(body.flowsheetOwner))
        return json(res, 404, {
          statusCode: 404,
          code: 'API_NOT_FOUND',
          message: 'no',
          details: {},
        })
      return json(res, 201, makeObject(body.flowsheetOwner, body))
    }
    if ((m = /^\/api\/core\/propertyinfo\/(\d+)\/$/.exec(p)) && req.method === 'PATCH') {
      const pr = props.get(Number(m[1]))
      if (!pr)
        return json(res, 404, {
          statusCode: 404,
          code: 'API_NOT_FOUND',
          message: 'no',
          details: {},
        })
      Object.assign(pr, body)
      return json(res, 200, pr)
    }
    if (p === '/api/unitops/unitops/' && req.method === 'GET') {
      const owner = Number(u.searchParams.get('flowsheetOwner'))
      return json(
        res,
        200,
        [...objects.values()].filter(
          (o) => o.flowsheetOwner === owner && o.objectType !== 'stream',
        ),
      )
    }
    if (p === '/api/solve/idaes/' && req.method === 'POST') {
      if (!sheets.has(body.flowsheet_id))
        return json(res, 404, {
          statusCode: 404,
          code: 'API_NOT_FOUND',
          message: 'no',
          details: {},
        })
      return json(res, 200, { id: nextId++, flowsheetId: body.flowsheet_id, status: 'success' })
    }
    return json(res, 404, {
      statusCode: 404,
      code: 'API_NOT_FOUND',
      message: 'no route',
      details: {},
    })
  }
  if (DELAY > 0) waitPrecise(DELAY, go)
  else go()
}

const RAW_REPLY = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok')
const RAW_KEEP = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
const server = process.env.RAW
  ? net.createServer((sock) => {
      requests++
      sock.once('data', (d) => {
        const line = d.toString('latin1', 0, 64)
        // a server that ignores Connection: close (the runner must still finish the request)
        if (line.includes(' /keepopen ')) sock.write(RAW_KEEP)
        else if (line.includes(' /chunked ')) {
          sock.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n')
          setTimeout(() => sock.write('0\r\n\r\n'), 20)
        } else sock.end(RAW_REPLY)
      })
      sock.on('error', () => {})
    })
  : http.createServer((req, res) => {
      requests++
      const chunks = []
      req.on('data', (c) => chunks.push(c))
      req.on('end', () => {
        let body = {}
        if (chunks.length) {
          try {
            body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
          } catch {
            return json(res, 400, {
              statusCode: 400,
              code: 'BAD_JSON',
              message: 'bad json',
              details: {},
            })
          }
        }
        route(req, res, body)
      })
    })
server.keepAliveTimeout = 5000
server.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`${server.address().port}\n`)
})
process.on('SIGTERM', () => process.exit(0))
