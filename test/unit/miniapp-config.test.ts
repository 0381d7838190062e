import { describe, expect, it } from 'vitest'
import { parseBootstrap, readConfig } from '../../examples/miniapp/src/config.ts'
import { BadBootstrapError } from '../../examples/miniapp/src/errors.ts'

const WS = '/ip4/127.0.0.1/tcp/4001/ws/p2p/12D3KooWAYnr1PxX76iRYErQY5LCzzLp57Ma2Mr8KQEuGfC8HNg8'

describe('the Mini App reads its mesh from the URL or its field', () => {
  it('takes a /ws or /wss address ending with the peer id', () => {
    expect(parseBootstrap(`  ${WS} `)).toBe(WS)
    const wss = '/dns4/mesh.example/tcp/443/wss/p2p/12D3KooWAYnr1PxX76iRYErQY5LCzzLp57Ma2Mr8KQEuGfC8HNg8'
    expect(parseBootstrap(wss)).toBe(wss)
  })

  it.each([
    ['', 'no bootstrap address'],
    ['not a multiaddr', 'is not a multiaddr'],
    [
      '/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWAYnr1PxX76iRYErQY5LCzzLp57Ma2Mr8KQEuGfC8HNg8',
      'only over WebSockets',
    ],
    ['/ip4/127.0.0.1/tcp/4001/ws', 'names no peer'],
  ])('refuses %j with a typed error saying what to fix', (input, said) => {
    let thrown: unknown
    try {
      parseBootstrap(input)
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(BadBootstrapError)
    expect(thrown).toMatchObject({
      shortMessage: expect.stringContaining(said),
      details: expect.stringMatching(/\/ws/),
    })
  })

  it('reads bootstrap, devnet, model and maxTokens from the query, with defaults', () => {
    const q = new URLSearchParams({ bootstrap: WS, devnet: 'http://127.0.0.1:9/jsonRPC', maxTokens: '7' })
    expect(readConfig(`?${q}`)).toEqual({
      bootstrap: WS,
      devnet: 'http://127.0.0.1:9/jsonRPC',
      model: 'tiny',
      network: 'testnet',
      maxTokens: 7,
    })
    expect(readConfig('?maxTokens=-1&network=mainnet')).toEqual({
      model: 'tiny',
      network: 'mainnet',
      maxTokens: 48,
    })
  })
})
