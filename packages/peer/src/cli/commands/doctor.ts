/** `cocoon doctor`: can this node sell? Each check with what it saw and the fix. */
import { resolveHome } from '@cocoon-mesh/settlement/node'
import type { Command } from 'commander'
import { type Finding, runDoctor } from '../doctor-checks.js'
import { effectiveConfig } from '../node-options.js'
import type { RegisterCommand } from './index.js'

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const

function print(findings: Finding[]): void {
  for (const f of findings) {
    process.stdout.write(`${MARK[f.status]}  ${f.check}: ${f.message}\n`)
    if (f.status !== 'ok' && f.fix !== undefined && f.fix !== '')
      process.stdout.write(`      fix: ${f.fix}\n`)
  }
}

export const registerDoctor: RegisterCommand = (program: Command) => {
  program
    .command('doctor')
    .description(
      'check that this node can sell: GPU and driver, the llama.cpp binary, each model answering, the bootstrap peers, the chain endpoint, the wallet against claim fees, the clock; exits 1 naming each problem',
    )
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option('--chain-endpoint <url>', 'toncenter v2 jsonRPC endpoint to check (default $COCOON_TON_ENDPOINT)')
    .option('--json', 'print { canSell, findings: [{ check, status, message, fix }] }')
    .action(async (opts: { home?: string; chainEndpoint?: string; json?: boolean }) => {
      const home = resolveHome(opts.home)
      const config = await effectiveConfig(home, {})
      const findings = await runDoctor({
        home,
        config,
        endpoint: opts.chainEndpoint ?? process.env.COCOON_TON_ENDPOINT,
        apiKey: process.env.COCOON_TON_API_KEY,
      })
      const problems = findings.filter((f) => f.status === 'fail')
      if (opts.json === true)
        process.stdout.write(`${JSON.stringify({ canSell: problems.length === 0, findings }, null, 2)}\n`)
      else print(findings)
      if (problems.length === 0) {
        if (opts.json !== true) process.stdout.write('this node can sell\n')
        return
      }
      process.stderr.write(
        `cocoon: this node cannot sell yet: ${problems.length} problem(s): ${problems.map((p) => p.check).join(', ')}\n`,
      )
      process.exitCode = 1
    })
}
