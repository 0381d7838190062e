/**
 * `cocoon gateway` as a real process: the config file's `gateway` section and
 * the flags, the CORS preflight, a 404 at once for a model the warm book has
 * never seen, `/metrics`, and a typed error for a bad `gateway` section.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { buildPeerDist, CLI as cli, ProcessGroup } from '../../../../test-support/cli-processes.ts'

const procs = new ProcessGroup(50_000)
let home: string

beforeAll(async () => {
  buildPeerDist()
  home = await mkdtemp(join(tmpdir(), 'cocoon-gateway-cli-'))
}, 120_000)
afterEach(() => procs.stopAll())
afterAll(() => rm(home, { recursive: true, force: true }))

describe('cocoon gateway', () => {
  it('reads CORS origins from the config file, answers a preflight, 404s an unseen model at once, serves /metrics', async () => {
    await writeFile(
      join(home, 'config.jsonc'),
      '{ // the gateway section only\n "gateway": { "cors": { "origins": ["http://page.example"] } } }\n',
    )
    const gateway = procs.spawn('gateway', [
      cli,
      'gateway',
      '--port',
      '0',
      '--home',
      home,
      '--max-wait-ms',
      '2000',
    ])
    const url = (await gateway.line(/cocoon gateway listening on /)).split(' ').at(-1) ?? ''
    const pre = await fetch(`${url}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://page.example', 'access-control-request-method': 'POST' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://page.example')
    const unseen = await fetch(`${url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'never-seen', messages: [{ role: 'user', content: 'x' }] }),
    })
    expect(unseen.status).toBe(404)
    expect(((await unseen.json()) as { error: { code: string } }).error.code).toBe('model_not_found')
    const metrics = await fetch(`${url.replace(/\/v1$/, '')}/metrics`)
    expect(metrics.status).toBe(200)
    expect(await metrics.text()).toContain('cocoon_gateway_requests_total{status="404"} 1')
  })

  it('a bad gateway section is a typed error naming the field; the process exits', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'cocoon-gateway-bad-'))
    try {
      await writeFile(
        join(bad, 'config.jsonc'),
        '{ "gateway": { "cors": { "origins": "http://page.example" } } }',
      )
      const gateway = procs.spawn('gateway', [cli, 'gateway', '--port', '0', '--home', bad])
      const { code } = await gateway.exited
      expect(code).not.toBe(0)
      expect(gateway.stderr() + gateway.lines.join('\n')).toContain('gateway.cors.origins')
    } finally {
      await rm(bad, { recursive: true, force: true })
    }
  })
})
