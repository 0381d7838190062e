/**
 * `npm run miniapp [-- --bootstrap <ws multiaddr> --devnet <url> --port <n>]`:
 * serves the page and prints its URL (with the mesh in its query when given).
 */
import { parseArgs } from 'node:util'
import { serveMiniApp } from './bundle.ts'

const { values } = parseArgs({
  options: {
    bootstrap: { type: 'string' },
    devnet: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8000' },
  },
})
const port = Number(values.port)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a TCP port (0-65535), not "${values.port}"\n`)
  process.exit(2)
}
const served = await serveMiniApp({ host: values.host, port })
const url = new URL(served.url)
if (values.bootstrap !== undefined) url.searchParams.set('bootstrap', values.bootstrap)
if (values.devnet !== undefined) url.searchParams.set('devnet', values.devnet)
process.stdout.write(`the Mini App: ${url}\n(Ctrl-C stops the server)\n`)
const stop = (): void => {
  served.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
