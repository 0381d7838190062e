/** The node's home folder: identity key, config file, datastore and the state file of a running node. */
import { mkdir } from 'node:fs/promises'

export * from './attestation-config.js'
export * from './attestation-policy.js'
export * from './config.js'
export * from './errors.js'
export * from './identity.js'
export * from './network-config.js'
export * from './state.js'

/** Folder of the LevelDB datastore (peer store and DHT records). */
export const DATASTORE_DIR = 'datastore'

export async function ensureHomeDir(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 })
}
