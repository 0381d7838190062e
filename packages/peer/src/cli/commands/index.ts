import type { Command } from 'commander'
import { registerAttest } from './attest.js'
import { registerChannel } from './channel.js'
import { registerDevnet } from './devnet.js'
import { registerDoctor } from './doctor.js'
import { registerEarnings } from './earnings.js'
import { registerGateway } from './gateway.js'
import { registerInit } from './init.js'
import { registerModels } from './models.js'
import { registerNode } from './node.js'
import { registerOffers } from './offers.js'
import { registerRun } from './run.js'
import { registerStatus } from './status.js'
import { registerWallet } from './wallet.js'

/** Registers one command (or command group) on the `cocoon` program. */
export type RegisterCommand = (program: Command) => void

/** Every command of the CLI, in the order `--help` lists them. Add one line per command module. */
export const commands: RegisterCommand[] = [
  registerInit,
  registerNode,
  registerModels,
  registerDoctor,
  registerStatus,
  registerOffers,
  registerWallet,
  registerChannel,
  registerEarnings,
  registerDevnet,
  registerRun,
  registerGateway,
  registerAttest,
]
