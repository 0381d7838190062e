/**
 * The commands of `cocoon-sim`: `run` (one scenario with a progress bar,
 * writing summary.json, series.csv, meta.json and report.html), `sweep` (a
 * grid × seeds on worker threads), `merge` (shards of a sweep) and
 * `cross-check`. A bad input file prints the fields at fault, never a stack.
 */
import { Command, InvalidArgumentError } from 'commander'
import { type CrossCheckCommandOptions, crossCheckCommand } from './commands/cross-check.js'
import { formatCliError } from './commands/format-error.js'
import { type RunCommandOptions, runCommand } from './commands/run.js'
import { mergeCommand, sweepCommand } from './commands/sweep.js'
import type { Shard } from './sweep/run-sweep.js'

function integer(value: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0')
  return n
}

function positive(value: string): number {
  const n = integer(value)
  if (n < 1) throw new InvalidArgumentError('expected a whole number >= 1')
  return n
}

function shard(value: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(value)
  const index = Number(m?.[1])
  const count = Number(m?.[2])
  if (m === null || count < 1 || index < 1 || index > count)
    throw new InvalidArgumentError(
      'expected i/n with 1 <= i <= n, e.g. 3/8 (Slurm: $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT)',
    )
  return { index, count }
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
  .option(
    '--max-memory <MiB>',
    'memory the run may use (default: 80% of the machine, at most the heap limit)',
    positive,
  )
  .option(
    '--gossip-threads <n>',
    'threads for the gossip spread samples (default: every core); the results do not depend on it',
    positive,
  )
  .action(async (scenario: string, opts: RunCommandOptions) => {
    await runCommand(scenario, opts)
  })
program
  .command('sweep')
  .description(
    'run a sweep file (a parameter grid × seeds) on worker threads, writing tidy CSVs with 95% confidence intervals',
  )
  .argument('<sweep>', 'path to a sweep JSON file')
  .option('--out <dir>', 'output directory', 'sweep-out')
  .option('--workers <n>', 'worker threads (default: every core); the results do not depend on it', positive)
  .option('--shard <i/n>', 'run only shard i of n (for a cluster scheduler); recombine with `merge`', shard)
  .option('--no-progress', 'no progress bar')
  .option(
    '--max-memory <MiB>',
    'memory the concurrent runs may use together (default: 80% of the machine)',
    positive,
  )
  .action(
    async (
      sweep: string,
      opts: { out: string; workers?: number; shard?: Shard; progress: boolean; maxMemory?: number },
    ) => {
      await sweepCommand(sweep, opts)
    },
  )
program
  .command('merge')
  .description('recombine the output directories of a sharded sweep')
  .argument('<dirs...>', 'sweep output directories (one per shard)')
  .requiredOption('--out <dir>', 'output directory')
  .option('--partial', 'write what is there even when runs are missing')
  .action(async (dirs: string[], opts: { out: string; partial?: boolean }) => {
    await mergeCommand(dirs, { out: opts.out, partial: opts.partial === true })
  })
program
  .command('cross-check')
  .description(
    'run a small network in the simulator and as real libp2p peers over the memory transport; exit 1 when a gated figure is outside its tolerance',
  )
  .option('--peers <n>', 'number of peers', integer, 50)
  .option('--seed <n>', 'PRNG seed', integer, 1)
  .option('--messages <n>', 'offers to publish', integer, 10)
  .option('--lookups <n>', 'DHT lookups for random keys on each side', integer, 20)
  .option(
    '--processes <n>',
    'processes for the real peers: 1 shares this one over the memory transport; more run TCP on loopback, in a tc netem namespace (root) when --latency is above 0',
    integer,
    1,
  )
  .option('--latency <ms>', 'one-way latency of every link, ms', integer, 20)
  .option('--out <dir>', 'also write fidelity.json (figures, tolerances, verdict, run metadata) here')
  .action(async (opts: CrossCheckCommandOptions) => {
    await crossCheckCommand(opts)
  })

try {
  await program.parseAsync()
} catch (error) {
  process.stderr.write(formatCliError(error))
  process.exitCode = 1
}
