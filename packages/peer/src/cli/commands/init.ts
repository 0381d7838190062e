import { resolveHome } from '@cocoon-mesh/settlement/node'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Command } from 'commander'
import { CONFIG_FILE, writeDefaultConfig } from '../../home/config.js'
import { createIdentity, IDENTITY_FILE } from '../../home/identity.js'
import { ensureHomeDir } from '../../home/index.js'
import { printTestModel } from '../try-model.js'
import type { RegisterCommand } from './index.js'

export const registerInit: RegisterCommand = (program: Command) => {
  program
    .command('init')
    .description(
      "create this node's identity, a commented default config and a TON wallet in the home folder",
    )
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option(
      '--try',
      'also set up a generated test model, so `cocoon node start --provide` sells something now',
    )
    .action(async (opts: { home?: string; try?: boolean }) => {
      const home = resolveHome(opts.home)
      await ensureHomeDir(home)
      const key = await createIdentity(home)
      const wroteConfig = await writeDefaultConfig(home)
      const out = (line: string): boolean => process.stdout.write(`${line}\n`)
      out(`home ${home}`)
      out(`peer-id ${peerIdFromPrivateKey(key).toString()}`)
      out(`identity ${home}/${IDENTITY_FILE}`)
      out(`config ${home}/${CONFIG_FILE}${wroteConfig ? '' : ' (kept existing)'}`)
      // The TON wallet comes from the settlement package (same home folder).
      const { walletFromMnemonic } = await import('@cocoon-mesh/settlement')
      const { loadOrCreateWalletMnemonic } = await import('@cocoon-mesh/settlement/node')
      const { mnemonic, created } = await loadOrCreateWalletMnemonic(home)
      const wallet = await walletFromMnemonic(mnemonic)
      out(`wallet ${wallet.address.toString()}${created ? '' : ' (kept existing)'}`)
      if (opts.try === true) await printTestModel(home, out)
    })
}
