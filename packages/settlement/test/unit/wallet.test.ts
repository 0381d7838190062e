import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { walletFromMnemonic } from '../../src/wallet/wallet.js'
import {
  loadOrCreateWalletMnemonic,
  loadWallet,
  resolveHome,
  WALLET_MNEMONIC_FILE,
} from '../../src/wallet/wallet-files.js'

let home: string
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'cocoon-wallet-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

describe('node wallet', () => {
  it('creates a mnemonic once (mode 0600) and derives the same wallet and voucher key after reload', async () => {
    const first = await loadOrCreateWalletMnemonic(home)
    expect(first.created).toBe(true)
    expect(first.mnemonic).toHaveLength(24)
    expect((await stat(join(home, WALLET_MNEMONIC_FILE))).mode & 0o777).toBe(0o600)
    const second = await loadOrCreateWalletMnemonic(home)
    expect(second).toEqual({ mnemonic: first.mnemonic, created: false })
    const a = await loadWallet(home)
    const b = await walletFromMnemonic(first.mnemonic)
    expect(a.address.equals(b.address)).toBe(true)
    expect(Buffer.from(a.signingKey.publicKey)).toEqual(a.keyPair.publicKey)
  })

  it('refuses a missing or invalid mnemonic with a typed error', async () => {
    await expect(loadWallet(home)).rejects.toMatchObject({ code: 'ERR_WALLET' })
    await writeFile(join(home, WALLET_MNEMONIC_FILE), 'not a mnemonic\n')
    await expect(loadWallet(home)).rejects.toMatchObject({ code: 'ERR_WALLET' })
  })

  it('resolves the home folder from the option, then $COCOON_HOME', () => {
    expect(resolveHome('/x')).toBe('/x')
    const saved = process.env.COCOON_HOME
    process.env.COCOON_HOME = '/from-env'
    try {
      expect(resolveHome()).toBe('/from-env')
    } finally {
      if (saved === undefined) delete process.env.COCOON_HOME
      else process.env.COCOON_HOME = saved
    }
  })
})
