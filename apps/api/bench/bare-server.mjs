// The baseline of the API benchmark: a bare Node http server answering one fixed JSON body
// (the same bytes the API returns for the one-pump list), keep-alive as Node does by default.
import http from 'node:http'
import { readFileSync } from 'node:fs'

const body = Buffer.from(readFileSync(process.argv[2] ?? '/dev/null', 'utf8') || '{"ok":true}')
const server = http.createServer((req, res) => {
  req.resume()
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
  })
  res.end(body)
})
server.keepAliveTimeout = 72_000
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }) + '\n')
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
