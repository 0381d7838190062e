/** What the page is pointed at: from its query string (`?bootstrap=`, `?devnet=`, `?model=`) or its fields. */
import { multiaddr } from '@multiformats/multiaddr'
import { BadBootstrapError } from './errors.js'

export interface PageConfig {
  /** The bootstrap peer's `/ws/p2p/…` or `/wss/p2p/…` multiaddr, when the URL gave one. */
  bootstrap?: string
  /** A cocoon devnet's jsonRPC endpoint: pay from a devnet wallet funded by its faucet. */
  devnet?: string
  /** A TON Connect manifest URL: pay from the user's own wallet. */
  tonconnectManifest?: string
  /** With TON Connect: `testnet` (default) or `mainnet`, whose toncenter endpoint channels are read from. */
  network: 'testnet' | 'mainnet'
  model: string
  /** Longest summary, tokens (`?maxTokens=`, default 48). */
  maxTokens: number
}

const DEFAULT_MAX_TOKENS = 48

export function readConfig(search: string): PageConfig {
  const q = new URLSearchParams(search)
  const get = (name: string): string | undefined => {
    const v = q.get(name)?.trim()
    return v === undefined || v === '' ? undefined : v
  }
  const bootstrap = get('bootstrap')
  const devnet = get('devnet')
  const tonconnectManifest = get('tonconnect')
  const maxTokens = Number(get('maxTokens') ?? DEFAULT_MAX_TOKENS)
  return {
    model: get('model') ?? 'tiny',
    network: get('network') === 'mainnet' ? 'mainnet' : 'testnet',
    maxTokens: Number.isInteger(maxTokens) && maxTokens > 0 ? maxTokens : DEFAULT_MAX_TOKENS,
    ...(bootstrap === undefined ? {} : { bootstrap }),
    ...(devnet === undefined ? {} : { devnet }),
    ...(tonconnectManifest === undefined ? {} : { tonconnectManifest }),
  }
}

const EXAMPLE = '/ip4/127.0.0.1/tcp/PORT/ws/p2p/12D3KooW…'

/**
 * The bootstrap address as a browser can dial it: a multiaddr over `/ws` or
 * `/wss` ending with the peer id (`/p2p/…`), which noise then authenticates.
 * @throws {BadBootstrapError}
 */
export function parseBootstrap(text: string): string {
  const value = text.trim()
  if (value === '')
    throw new BadBootstrapError('no bootstrap address', {
      details: `paste the mesh's WebSocket address (${EXAMPLE}); \`npm run demo -- --serve\` prints one`,
    })
  let names: string[]
  try {
    names = multiaddr(value)
      .getComponents()
      .map((c) => c.name)
  } catch (cause) {
    throw new BadBootstrapError(`"${value}" is not a multiaddr`, {
      details: `a bootstrap address looks like ${EXAMPLE}`,
      cause,
    })
  }
  if (!names.includes('ws') && !names.includes('wss') && !names.includes('tls'))
    throw new BadBootstrapError('a browser reaches the mesh only over WebSockets', {
      details: `use the peer's /ws (or /wss, behind TLS) address, not ${value}`,
    })
  if (names.at(-1) !== 'p2p')
    throw new BadBootstrapError('the bootstrap address names no peer', {
      details: `end it with /p2p/<peer id>, as in ${EXAMPLE}`,
    })
  return value
}
