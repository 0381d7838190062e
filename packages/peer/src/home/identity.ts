import { chmod, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '@cocoon-mesh/protocol'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { isErrno } from './errno.js'
import { CorruptKeyError, HomeNotInitializedError, IdentityExistsError } from './errors.js'

/** File in the home folder holding the libp2p private key (protobuf, mode 0600). */
export const IDENTITY_FILE = 'identity.key'

/** What {@link createIdentity} throws: an identity exists, or node's error creating the file. */
export type CreateIdentityErrorType = IdentityExistsError | Error

/**
 * Creates a new Ed25519 identity in `home`; refuses to overwrite an existing one.
 * @throws {CreateIdentityErrorType}
 */
export async function createIdentity(home: string): Promise<PrivateKey> {
  const path = join(home, IDENTITY_FILE)
  const key = await generateKeyPair('Ed25519')
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (error) {
    if (isErrno(error, 'EEXIST')) {
      throw new IdentityExistsError(`An identity already exists in ${home}`, {
        details: `${path} is kept so this node keeps its peer id. Use another --home (or $COCOON_HOME) for a second node, or delete the file yourself to start over.`,
      })
    }
    throw error
  }
  try {
    await handle.writeFile(privateKeyToProtobuf(key))
  } finally {
    await handle.close()
  }
  await chmod(path, 0o600)
  return key
}

/** What {@link loadIdentity} throws. */
export type LoadIdentityErrorType = HomeNotInitializedError | CorruptKeyError

/**
 * Loads the identity of `home`, with typed errors for a missing or corrupt key.
 * @throws {LoadIdentityErrorType}
 */
export async function loadIdentity(home: string): Promise<PrivateKey> {
  const path = join(home, IDENTITY_FILE)
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (error) {
    if (isErrno(error, 'ENOENT')) {
      throw new HomeNotInitializedError(`No identity in ${home}`, {
        details: `Run \`cocoon init --home ${home}\` first (or pass the right --home / $COCOON_HOME).`,
        cause: error,
      })
    }
    throw new CorruptKeyError(`Cannot read the key file ${path}`, {
      details: `${errorMessage(error)}. Check its owner and permissions (it should be mode 0600, owned by you).`,
      cause: error,
    })
  }
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (error) {
    throw new CorruptKeyError(`The key file ${path} is corrupt`, {
      details: `It is not a libp2p private key (${errorMessage(error)}). Restore it from a backup, or move it away and run \`cocoon init\` to make a new identity (a new peer id).`,
      cause: error,
    })
  }
}
