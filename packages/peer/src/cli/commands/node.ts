import { errorLine } from '@cocoon-mesh/protocol'
import { resolveHome } from '@cocoon-mesh/settlement/node'
import { type Command, Option } from 'commander'
import { loadIdentity } from '../../home/identity.js'
import { createNodeLog, LOG_FORMATS, type LogFormat } from '../node-log.js'
import { collect, effectiveConfig, parsePort } from '../node-options.js'
import { runNode } from '../run-node.js'
import type { RegisterCommand } from './index.js'

export const registerNode: RegisterCommand = (program: Command) => {
  const node = program.command('node').description('run a full mesh peer')
  node
    .command('start')
    .description(
      'start a full peer (DHT server, order-book relay); prints "peer-id <id>" and "listening <multiaddr>" lines, then one line per peer and offer event; stops cleanly on SIGINT/SIGTERM',
    )
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option(
      '--listen <multiaddr>',
      'listen address, repeatable (overrides config and COCOON_LISTEN)',
      collect,
    )
    .option(
      '--bootstrap <multiaddr>',
      'peer to join through, repeatable (overrides config and COCOON_BOOTSTRAP)',
      collect,
    )
    .option(
      '--model <id>',
      'order-book topic to follow, repeatable (overrides config and COCOON_MODELS)',
      collect,
    )
    .option(
      '--provide',
      'advertise what the config\'s "provide" section serves (signed offers + DHT provider records)',
    )
    .option(
      '--chain-endpoint <url>',
      'toncenter v2 jsonRPC endpoint (e.g. a `cocoon devnet`): with one, jobs are paid through payment channels and claimed on a timer; without one (and no COCOON_TON_ENDPOINT) jobs are free',
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus metrics (process, libp2p, order book, jobs) on http://127.0.0.1:<port>/metrics; 0 picks a free port; the URL is printed as a "metrics <url>" line',
      parsePort,
    )
    .option(
      '--dashboard-port <port>',
      'serve a web dashboard (peers, offers, jobs, channels, earnings, live) on http://127.0.0.1:<port>; 0 picks a free port; its URL with a random access token is printed as a "dashboard <url>" line (overrides "dashboard.port" in the config)',
      parsePort,
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'text: one readable line per event; json: one JSON object per line ({"time","event",...fields})',
      )
        .choices(LOG_FORMATS)
        .default('text'),
    )
    .action(
      async (opts: {
        home?: string
        listen?: string[]
        bootstrap?: string[]
        model?: string[]
        provide?: boolean
        chainEndpoint?: string
        metricsPort?: number
        dashboardPort?: number
        logFormat: LogFormat
      }) => {
        const log = createNodeLog(opts.logFormat, (line) => process.stdout.write(`${line}\n`))
        const home = resolveHome(opts.home)
        const privateKey = await loadIdentity(home)
        const config = await effectiveConfig(home, opts)
        const dashboardPort = opts.dashboardPort ?? config.dashboard.port
        // handlers first: a signal during start-up still shuts down cleanly once started
        let signalled: string | undefined
        let onSignal: ((signal: string) => void) | undefined
        const handle = (signal: string): void => {
          if (signalled !== undefined && onSignal !== undefined) {
            // a second signal while stopping forces the exit, as a default handler would
            process.stderr.write(`cocoon: ${signal} again; exiting without a clean shutdown\n`)
            process.exit(1)
          }
          signalled ??= signal
          onSignal?.(signal)
        }
        // `on`, not `once`: signal-exit (loaded with node-llama-cpp's proper-lockfile) re-raises a
        // signal when it sees no other listener left, which killed the node mid-shutdown
        process.on('SIGINT', () => handle('SIGINT'))
        process.on('SIGTERM', () => handle('SIGTERM'))
        const running = await runNode({
          home,
          privateKey,
          config,
          provide: opts.provide === true,
          logFormat: opts.logFormat,
          ...(opts.chainEndpoint === undefined ? {} : { chainEndpoint: opts.chainEndpoint }),
          ...(opts.metricsPort === undefined ? {} : { metricsPort: opts.metricsPort }),
          ...(dashboardPort === undefined ? {} : { dashboardPort }),
        })
        await new Promise<void>((resolve) => {
          onSignal = (signal: string): void => {
            log.event('stopping', { signal })
            // a clean stop normally takes well under a second; never hang an operator's terminal
            setTimeout(() => {
              process.stderr.write('cocoon: shutdown did not finish within 15 s; exiting anyway\n')
              process.exit(1)
            }, 15_000).unref()
            running.shutdown().then(
              () => {
                log.event('stopped', {})
                resolve()
              },
              (error: unknown) => {
                // each failed step was logged as `cleanup-failed` with its cause
                process.stderr.write(`cocoon: unclean shutdown: ${errorLine(error)}\n`)
                process.exitCode = 1
                resolve()
              },
            )
          }
          if (signalled !== undefined) onSignal(signalled)
        })
      },
    )
}
