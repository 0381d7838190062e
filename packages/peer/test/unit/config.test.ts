import { describe, expect, it } from 'vitest'
import {
  configFromEnv,
  DEFAULT_CONFIG,
  DEFAULT_CONFIG_TEXT,
  MalformedConfigError,
  parseConfig,
} from '../../src/home/index.js'

describe('config', () => {
  it('parses the commented default config to the defaults', () => {
    expect(parseConfig(DEFAULT_CONFIG_TEXT)).toEqual(DEFAULT_CONFIG)
  })

  it('keeps // inside strings and allows trailing commas', () => {
    const c = parseConfig(
      '{ "bootstrap": ["/dns4/a.example/tcp/1/p2p/12D3KooWL6bSCrYFJDqretA3bZ28zKaPLHdQCDPcjc1yuyn4GtmV",], /* c */ }',
    )
    expect(c.bootstrap).toHaveLength(1)
    expect(parseConfig('{ "provide": { "region": "http://x" } }').provide.region).toBe('http://x')
  })

  it('reads the dashboard port, and names the field and the range for a bad one', () => {
    expect(parseConfig('{ "dashboard": { "port": 0 } }').dashboard).toEqual({ port: 0 })
    expect(parseConfig('{}').dashboard).toEqual({})
    for (const port of ['"8080"', '-1', '70000', '1.5'])
      expect(() => parseConfig(`{ "dashboard": { "port": ${port} } }`)).toThrow(
        /dashboard\.port[\s\S]*TCP port from 0 to 65535/,
      )
  })

  it('env overrides the file', () => {
    const c = configFromEnv(
      { COCOON_LISTEN: '/ip4/127.0.0.1/tcp/0, /ip4/127.0.0.1/tcp/1', COCOON_PROVIDE_MODELS: 'a,b' },
      DEFAULT_CONFIG,
    )
    expect(c.listen).toEqual(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/1'])
    expect(c.provide.models).toEqual(['a', 'b'])
    expect(c.bootstrap).toEqual(DEFAULT_CONFIG.bootstrap)
  })

  it('names the field and the fix for bad values', () => {
    expect(() => parseConfig('{')).toThrow(MalformedConfigError)
    expect(() => parseConfig('[]')).toThrow(/JSON object/)
    expect(() => parseConfig('{ "listen": ["nope"] }')).toThrow(/listen/)
    expect(() => parseConfig('{ "provide": { "prices": { "perKPromptTokens": -1 } } }')).toThrow(
      /perKPromptTokens/,
    )
    expect(() => configFromEnv({ COCOON_BOOTSTRAP: 'garbage' }, DEFAULT_CONFIG)).toThrow(/COCOON_BOOTSTRAP/)
  })
})
