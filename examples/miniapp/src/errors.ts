/**
 * The page's own failures (a wallet declining is settlement's `WalletDeclinedError`), one class per condition (matched with
 * `instanceof`), each saying what the user can do about it.
 */
import { CocoonError } from '@cocoon-mesh/protocol'

export type MiniAppErrorCode =
  | 'ERR_BAD_BOOTSTRAP'
  | 'ERR_MESH_UNREACHABLE'
  | 'ERR_STORAGE_UNAVAILABLE'
  | 'ERR_STORAGE_FULL'
  | 'ERR_WALLET_UNAVAILABLE'

/** The bootstrap address is not a multiaddr a browser can dial (`/ws` or `/wss` with `/p2p/<id>`). */
export class BadBootstrapError extends CocoonError<'ERR_BAD_BOOTSTRAP'> {
  readonly code = 'ERR_BAD_BOOTSTRAP' as const
  override readonly name = 'BadBootstrapError'
}

/** No connection to the bootstrap peer came up within the wait. */
export class MeshUnreachableError extends CocoonError<'ERR_MESH_UNREACHABLE'> {
  readonly code = 'ERR_MESH_UNREACHABLE' as const
  override readonly name = 'MeshUnreachableError'
}

/** IndexedDB cannot be opened (private browsing, disabled storage, an old browser). */
export class StorageUnavailableError extends CocoonError<'ERR_STORAGE_UNAVAILABLE'> {
  readonly code = 'ERR_STORAGE_UNAVAILABLE' as const
  override readonly name = 'StorageUnavailableError'
}

/** The browser refused to store more for this site (`QuotaExceededError`). */
export class StorageFullError extends CocoonError<'ERR_STORAGE_FULL'> {
  readonly code = 'ERR_STORAGE_FULL' as const
  override readonly name = 'StorageFullError'
}

/** No wallet to pay from: neither a devnet endpoint nor a TON Connect manifest was given. */
export class WalletUnavailableError extends CocoonError<'ERR_WALLET_UNAVAILABLE'> {
  readonly code = 'ERR_WALLET_UNAVAILABLE' as const
  override readonly name = 'WalletUnavailableError'
}

export type MiniAppError =
  | BadBootstrapError
  | MeshUnreachableError
  | StorageUnavailableError
  | StorageFullError
  | WalletUnavailableError

/**
 * True when `error` (or a cause of it) is the browser's quota error: a
 * `DOMException` whose standard name is the only way the DOM tells it apart.
 */
export function isQuotaExceeded(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause)
    if (e instanceof DOMException && e.name === 'QuotaExceededError') return true
  return false
}
