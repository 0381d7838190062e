import { describe, expect, it } from 'vitest'
import { chainApiKeyFromEnv, chainEndpointFromEnv, TON_NETWORK_ENDPOINTS } from '../../src/chain/networks.js'
import { InvalidSettlementInputError } from '../../src/errors.js'

describe('chain endpoint and API key from the environment', () => {
  it('takes COCOON_TON_ENDPOINT, else the network preset, else none', () => {
    expect(chainEndpointFromEnv({})).toBeUndefined()
    expect(chainEndpointFromEnv({ COCOON_TON_NETWORK: 'testnet' })).toBe(
      'https://testnet.toncenter.com/api/v2/jsonRPC',
    )
    expect(chainEndpointFromEnv({ COCOON_TON_NETWORK: 'mainnet' })).toBe(TON_NETWORK_ENDPOINTS.mainnet)
    expect(
      chainEndpointFromEnv({ COCOON_TON_NETWORK: 'mainnet', COCOON_TON_ENDPOINT: 'http://x/jsonRPC' }),
    ).toBe('http://x/jsonRPC')
  })

  it('names the fix for an unknown network', () => {
    expect(() => chainEndpointFromEnv({ COCOON_TON_NETWORK: 'mainnett' })).toThrow(
      InvalidSettlementInputError,
    )
    expect(() => chainEndpointFromEnv({ COCOON_TON_NETWORK: 'toString' })).toThrow(
      /devnet, testnet or mainnet/,
    )
  })

  it('reads the API key from COCOON_TON_API_KEY, else TONCENTER_API_KEY', () => {
    expect(chainApiKeyFromEnv({ TONCENTER_API_KEY: 'k1' })).toBe('k1')
    expect(chainApiKeyFromEnv({ TONCENTER_API_KEY: 'k1', COCOON_TON_API_KEY: 'k2' })).toBe('k2')
    expect(chainApiKeyFromEnv({})).toBeUndefined()
  })
})
