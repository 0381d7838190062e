#!/usr/bin/env node
/**
 * The `cocoon` operator CLI. Each command lives in its own file under
 * `commands/` and registers itself on the program.
 */
import { Command } from 'commander'
import { commands } from './commands/index.js'
import { reportCliError } from './report-error.js'

const program = new Command('cocoon')
  .description('Cocoon Mesh: sell and buy GPU inference over a peer-to-peer mesh, paid in TON')
  .showHelpAfterError()

for (const register of commands) register(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  process.exitCode = reportCliError(error)
}
