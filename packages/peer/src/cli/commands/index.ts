import type { Command } from 'commander'
import { registerChannel } from './channel.js'
import { registerDevnet } from './devnet.js'
import { registerEarnings } from './earnings.js'
import { registerGateway } from './gateway.js'
import { registerRun } from './run.js'
import { registerWallet } from './wallet.js'

/** Registers one command (or command group) on the `cocoon` program. */
export type RegisterCommand = (program: Command) => void

/** Every command of the CLI, in the order `--help` lists them. Add one line per command module. */
export const commands: RegisterCommand[] = [registerWallet, registerChannel, registerEarnings, registerDevnet, registerRun, registerGateway]
