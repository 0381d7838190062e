import type { Address } from '@ton/core'
import { type KeyPair, mnemonicToPrivateKey, mnemonicValidate } from '@ton/crypto'
import { WalletContractV4 } from '@ton/ton'
import { WalletError } from '../errors.js'
import { type SigningKey, signingKeyFromSeed } from '../voucher/keys.js'

/** The node's TON identity: wallet contract, key pair and the fast voucher signing key. */
export interface NodeWallet {
  mnemonic: string[]
  keyPair: KeyPair
  /** The ed25519 key from the same seed, for vouchers. */
  signingKey: SigningKey
  /** Wallet v4r2 on workchain 0. */
  contract: WalletContractV4
  address: Address
}

/** What {@link walletFromMnemonic} throws. */
export type WalletFromMnemonicErrorType = WalletError

/**
 * Derives the wallet (v4r2, workchain 0) and signing key from a TON mnemonic.
 * @throws {WalletFromMnemonicErrorType} for an invalid mnemonic.
 */
export async function walletFromMnemonic(mnemonic: string[]): Promise<NodeWallet> {
  if (!(await mnemonicValidate(mnemonic)))
    throw new WalletError('invalid wallet mnemonic', { details: 'expected 24 TON mnemonic words' })
  const keyPair = await mnemonicToPrivateKey(mnemonic)
  const signingKey = signingKeyFromSeed(keyPair.secretKey.subarray(0, 32))
  const contract = WalletContractV4.create({ workchain: 0, publicKey: keyPair.publicKey })
  return { mnemonic, keyPair, signingKey, contract, address: contract.address }
}
