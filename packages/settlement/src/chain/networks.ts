import { processEnv } from '#platform'
import { InvalidSettlementInputError } from '../errors.js'

/** The local `cocoon devnet` port the CLI defaults to. */
export const DEFAULT_DEVNET_PORT = 8081
/** Default chain endpoint: a local `cocoon devnet` on its default port. */
export const DEFAULT_TON_ENDPOINT = `http://127.0.0.1:${DEFAULT_DEVNET_PORT}/jsonRPC`

/** The chains the CLI knows by name (`COCOON_TON_NETWORK`). */
export type TonNetwork = 'devnet' | 'testnet' | 'mainnet'

/**
 * toncenter v2 jsonRPC endpoints of each network. Without an API key
 * (`TONCENTER_API_KEY`, from @tonapibot on Telegram) toncenter allows about
 * one request per second, too little for a providing node.
 */
export const TON_NETWORK_ENDPOINTS: Readonly<Record<TonNetwork, string>> = {
  devnet: DEFAULT_TON_ENDPOINT,
  testnet: 'https://testnet.toncenter.com/api/v2/jsonRPC',
  mainnet: 'https://toncenter.com/api/v2/jsonRPC',
}

/** What {@link chainEndpointFromEnv} throws. */
export type ChainEndpointFromEnvErrorType = InvalidSettlementInputError

/**
 * The chain endpoint the environment names: `COCOON_TON_ENDPOINT`, else the
 * endpoint of the network `COCOON_TON_NETWORK` names; undefined when neither is set.
 * @throws {ChainEndpointFromEnvErrorType} for an unknown network name.
 */
export function chainEndpointFromEnv(
  env: Record<string, string | undefined> = processEnv(),
): string | undefined {
  const endpoint = env.COCOON_TON_ENDPOINT
  if (endpoint !== undefined && endpoint !== '') return endpoint
  const network = env.COCOON_TON_NETWORK
  if (network === undefined || network === '') return undefined
  if (!Object.hasOwn(TON_NETWORK_ENDPOINTS, network))
    throw new InvalidSettlementInputError('unknown COCOON_TON_NETWORK', {
      details: `"${network}": use devnet, testnet or mainnet, or set COCOON_TON_ENDPOINT to a toncenter v2 jsonRPC URL`,
    })
  return TON_NETWORK_ENDPOINTS[network as TonNetwork]
}

/** The toncenter API key of the environment: `COCOON_TON_API_KEY`, else `TONCENTER_API_KEY`. */
export function chainApiKeyFromEnv(
  env: Record<string, string | undefined> = processEnv(),
): string | undefined {
  const key = env.COCOON_TON_API_KEY ?? env.TONCENTER_API_KEY
  return key === '' ? undefined : key
}

/** ms between polls of an endpoint: fast on the local devnet, toncenter's pace elsewhere. */
export function pollIntervalFor(endpoint: string): number {
  return endpoint.startsWith('http://127.0.0.1') ? 50 : 1_000
}
