#!/usr/bin/env node
/**
 * `cocoon-sim run scenarios/<name>.json [--seed N] [--out DIR]`: runs a
 * scenario with a progress bar and writes summary.json, series.csv and
 * report.html. A bad scenario prints the fields at fault, never a stack.
 */
import { Command, InvalidArgumentError } from 'commander'
import { crossCheckCommand } from './commands/cross-check.js'
import { formatCliError } from './commands/format-error.js'
import { runCommand } from './commands/run.js'

function integer(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0')
  return n
}

const program = new Command()
program.name('cocoon-sim').description('The Cocoon Mesh network simulator')
program
  .command('run')
  .description('run a scenario file')
  .argument('<scenario>', 'path to a scenario JSON file')
  .option('--seed <n>', 'PRNG seed (overrides the scenario)', integer)
  .option('--out <dir>', 'output directory', 'sim-out')
  .option('--no-progress', 'no progress bar')
  .action(async (scenario: string, opts: { seed?: number; out: string; progress: boolean }) => {
    await runCommand(scenario, opts)
  })
program
  .command('cross-check')
  .description('run a small scenario in the simulator and with real libp2p peers over the memory transport')
  .option('--peers <n>', 'number of peers', integer, 50)
  .option('--seed <n>', 'PRNG seed', integer, 1)
  .option('--messages <n>', 'offers to publish', integer, 10)
  .action(async (opts: { peers: number; seed: number; messages: number }) => {
    await crossCheckCommand(opts)
  })

try {
  await program.parseAsync()
} catch (error) {
  process.stderr.write(formatCliError(error))
  process.exitCode = 1
}
