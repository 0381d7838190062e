import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { mnemonicNew } from '@ton/crypto'
import { WalletError } from '../errors.js'
import { type NodeWallet, walletFromMnemonic } from './wallet.js'

/** File in the home folder holding the 24-word TON mnemonic (mode 0600). */
export const WALLET_MNEMONIC_FILE = 'wallet.mnemonic'

/** The home folder: `--home`, else `$COCOON_HOME`, else `~/.cocoon`. */
export function resolveHome(home?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(home ?? env.COCOON_HOME ?? join(homedir(), '.cocoon'))
}

/** What {@link loadWalletMnemonic} throws. */
export type LoadWalletMnemonicErrorType = WalletError

/**
 * Reads the mnemonic from `home/wallet.mnemonic`; undefined when absent.
 * @throws {LoadWalletMnemonicErrorType} when the file exists but cannot be read.
 */
export async function loadWalletMnemonic(home: string): Promise<string[] | undefined> {
  let text: string
  try {
    text = await readFile(join(home, WALLET_MNEMONIC_FILE), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new WalletError('cannot read the wallet mnemonic', { details: `in ${home}`, cause: error })
  }
  return text.trim().split(/\s+/)
}

/** What {@link loadOrCreateWalletMnemonic} throws: an unreadable mnemonic, or node's error writing a new one. */
export type LoadOrCreateWalletMnemonicErrorType = WalletError | Error

/**
 * Returns the node's mnemonic, creating and saving a new one (mode 0600) when
 * the home folder has none. `cocoon init` calls this.
 * @throws {LoadOrCreateWalletMnemonicErrorType}
 */
export async function loadOrCreateWalletMnemonic(
  home: string,
): Promise<{ mnemonic: string[]; created: boolean }> {
  const existing = await loadWalletMnemonic(home)
  if (existing !== undefined) return { mnemonic: existing, created: false }
  const mnemonic = await mnemonicNew(24)
  await mkdir(home, { recursive: true })
  await writeFile(join(home, WALLET_MNEMONIC_FILE), `${mnemonic.join(' ')}\n`, { mode: 0o600, flag: 'wx' })
  return { mnemonic, created: true }
}

/** What {@link loadWallet} throws: no, an unreadable or an invalid mnemonic. */
export type LoadWalletErrorType = WalletError

/**
 * Loads the node's wallet from its home folder, or throws a typed error saying to run `cocoon init`.
 * @throws {LoadWalletErrorType}
 */
export async function loadWallet(home: string): Promise<NodeWallet> {
  const mnemonic = await loadWalletMnemonic(home)
  if (mnemonic === undefined)
    throw new WalletError('no wallet in the home folder', {
      details: `${join(home, WALLET_MNEMONIC_FILE)} is missing; run \`cocoon init\` first`,
    })
  return walletFromMnemonic(mnemonic)
}
