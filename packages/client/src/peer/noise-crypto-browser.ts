/**
 * The noise crypto in a browser: none given, so noise uses its own browser
 * build (WebCrypto and pure JS). `#noise-crypto` resolves here in browsers
 * and to noise-crypto.ts under Node.
 */
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'

export const noiseCrypto: ICryptoInterface | undefined = undefined
