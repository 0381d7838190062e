/**
 * The page's IndexedDB: one datastore for the light peer's libp2p identity
 * and (through the SDK) its voucher store, so a reload keeps who it is and
 * what it signed.
 */
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { IDBDatastore } from 'datastore-idb'
import { type Datastore, Key } from 'interface-datastore'
import { isQuotaExceeded, StorageFullError, StorageUnavailableError } from './errors.js'

const DB_NAME = 'cocoon-miniapp'
const IDENTITY = new Key('/cocoon/identity')

/** What {@link openStorage} throws. */
export type OpenStorageErrorType = StorageUnavailableError | StorageFullError

/**
 * Opens the page's IndexedDB datastore.
 * @throws {OpenStorageErrorType}
 */
export async function openStorage(): Promise<IDBDatastore> {
  if (typeof indexedDB === 'undefined')
    throw new StorageUnavailableError('this browser gives the page no IndexedDB', {
      details:
        'the page keeps its identity and payment vouchers there; leave private browsing or allow site data',
    })
  const store = new IDBDatastore(DB_NAME)
  try {
    await store.open()
  } catch (cause) {
    throw storageError('opening IndexedDB failed', cause)
  }
  return store
}

/** What {@link loadOrCreateIdentity} throws. */
export type LoadOrCreateIdentityErrorType = StorageFullError | StorageUnavailableError

/**
 * The light peer's Ed25519 key: the stored one, or a new one stored first, so
 * a reloaded page is the same peer its providers and channels know.
 * @throws {LoadOrCreateIdentityErrorType}
 */
export async function loadOrCreateIdentity(store: Datastore): Promise<PrivateKey> {
  try {
    if (await store.has(IDENTITY)) return privateKeyFromProtobuf(await store.get(IDENTITY))
    const key = await generateKeyPair('Ed25519')
    await store.put(IDENTITY, privateKeyToProtobuf(key))
    return key
  } catch (cause) {
    throw storageError('reading or storing the identity key failed', cause)
  }
}

/** A storage failure as the page's typed error: full when the browser said so, else unavailable. */
export function storageError(what: string, cause: unknown): StorageFullError | StorageUnavailableError {
  if (isQuotaExceeded(cause))
    return new StorageFullError(`${what}: the browser's storage for this site is full`, {
      details:
        'free space for this site (browser settings, site data) or close other tabs using it, then reload',
      cause,
    })
  return new StorageUnavailableError(`${what}: IndexedDB refused it`, {
    details: 'allow site data for this page (private browsing may block IndexedDB), then reload',
    cause,
  })
}
