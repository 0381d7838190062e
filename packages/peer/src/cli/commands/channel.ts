import {
  ChannelUnusableError,
  claimChannel,
  closeChannel,
  formatTon,
  InvalidSettlementInputError,
  openChannel,
  parseTon,
  parseTonAddress,
  readChannel,
  startChannelExit,
  withdrawChannel,
} from '@cocoon-mesh/settlement'
import { openSettlementContext, type SettlementContext } from '@cocoon-mesh/settlement/node'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Command } from 'commander'
import { readChannelForDisplay, unknownOnChain } from '../chain-view.js'
import { recordProviderChannels } from '../provider-channels.js'
import type { RegisterCommand } from './index.js'

interface CommonOptions {
  home?: string
  endpoint?: string
  apiKey?: string
}

const common = (cmd: Command): Command =>
  cmd
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option(
      '--endpoint <url>',
      'toncenter v2 jsonRPC endpoint (default $COCOON_TON_ENDPOINT, the endpoint of $COCOON_TON_NETWORK, or the local devnet)',
    )
    .option('--api-key <key>', 'toncenter API key (default $COCOON_TON_API_KEY or $TONCENTER_API_KEY)')

async function withContext(
  opts: CommonOptions,
  fn: (ctx: SettlementContext) => Promise<void>,
): Promise<void> {
  const ctx = await openSettlementContext(opts)
  try {
    await fn(ctx)
  } finally {
    await ctx.close()
  }
}

/**
 * The provider's settlement key and payout wallet. Both come from its offer
 * (`settlement_key`, `payout_address`): a node's libp2p identity is not its
 * TON key, so they cannot be derived from the peer id, and a wrong pair would
 * lock the deposit until the exit delay passes.
 */
function providerTerms(peerId: string, payout?: string, keyHex?: string) {
  try {
    peerIdFromString(peerId)
  } catch (cause) {
    throw new InvalidSettlementInputError('invalid provider peer id', { details: peerId, cause })
  }
  if (payout === undefined || keyHex === undefined)
    throw new InvalidSettlementInputError('the provider payout address and settlement key are required', {
      details:
        "pass --payout <address> and --provider-key <hex> from the provider's offer (payout_address, settlement_key); the provider's `cocoon wallet` shows both",
    })
  const key = Uint8Array.from(Buffer.from(keyHex, 'hex'))
  if (key.length !== 32 || !/^[0-9a-fA-F]{64}$/.test(keyHex))
    throw new InvalidSettlementInputError('invalid provider settlement key', {
      details: 'expected 64 hex characters (an ed25519 public key)',
    })
  return { key, address: parseTonAddress(payout, 'payout address') }
}

/** `cocoon channel open|list|claim|close`: payment channels. */
export const registerChannel: RegisterCommand = (program: Command) => {
  const channel = program.command('channel').description('TON payment channels between clients and providers')
  registerChannelOpen(channel)
  registerChannelList(channel)
  registerChannelClaim(channel)
  registerChannelClose(channel)
}

/** `cocoon channel open`: the client deposits into a new channel to a provider. */
function registerChannelOpen(channel: Command): void {
  common(channel.command('open'))
    .description('open a channel to a provider with a deposit (client)')
    .requiredOption('--provider <peerId>', "the provider's peer id")
    .requiredOption('--deposit <ton>', 'TON to deposit')
    .option('--payout <address>', "the provider's payout wallet (from its offer)")
    .option('--provider-key <hex>', "the provider's ed25519 settlement key, hex (from its offer)")
    .option('--exit-delay <seconds>', 'seconds the provider has to claim after you start an exit', '86400')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: CommonOptions & {
          provider: string
          deposit: string
          payout?: string
          providerKey?: string
          exitDelay: string
          json?: boolean
        },
      ) => {
        const deposit = parseTon(opts.deposit, 'deposit')
        const exitDelay = Number(opts.exitDelay)
        if (!Number.isInteger(exitDelay) || exitDelay < 0 || exitDelay > 0xffffffff)
          throw new InvalidSettlementInputError('invalid exit delay', { details: 'seconds, 0..4294967295' })
        const terms = providerTerms(opts.provider, opts.payout, opts.providerKey)
        await withContext(opts, async (ctx) => {
          const { address } = await openChannel({
            chain: ctx.chain,
            wallet: ctx.wallet,
            store: ctx.store,
            providerAddress: terms.address,
            providerKey: terms.key,
            deposit,
            exitDelay,
            peerId: opts.provider,
          })
          if (opts.json === true)
            process.stdout.write(
              `${JSON.stringify({ channel: address.toRawString(), deposit: deposit.toString() })}\n`,
            )
          else process.stdout.write(`opened channel ${address.toString()} with ${formatTon(deposit)}\n`)
        })
      },
    )
}

/** `cocoon channel list`: every channel this node is party to, with its on-chain state. */
function registerChannelList(channel: Command): void {
  common(channel.command('list'))
    .description('list channels this node is party to, with on-chain state')
    .option('--json', 'print JSON')
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      await withContext(opts, async (ctx) => {
        const rows: Record<string, string | number | boolean>[] = []
        const seen = new Set<string>()
        const add = async (role: 'client' | 'provider', address: string, peerId?: string) => {
          if (seen.has(`${role}${address}`)) return
          seen.add(`${role}${address}`)
          const { view, error } = await readChannelForDisplay(ctx.chain, address)
          const unknown = error === undefined ? '' : unknownOnChain(error)
          const local =
            role === 'client'
              ? (await ctx.store.clientChannel(address))?.signed
              : (await ctx.store.providerChannel(address))?.newest
          rows.push({
            role,
            channel: address,
            peer: peerId ?? '',
            deposit: view?.state.deposit.toString() ?? unknown,
            claimed: view?.state.claimed.toString() ?? unknown,
            newestVoucher: (local ?? 0n).toString(),
            exiting: (view?.state.exitRequestedAt ?? 0) > 0,
            closed: view?.state.closed ?? false,
          })
        }
        // channels clients opened to this node from anywhere, found on chain and recorded first
        const scan = await recordProviderChannels(ctx)
        if (scan.error !== undefined)
          process.stderr.write(`could not scan the chain for channels opened to this node: ${scan.error}\n`)
        for (const meta of await ctx.store.channelMetas()) await add(meta.role, meta.address, meta.peerId)
        for (const rec of await ctx.store.providerChannels()) await add('provider', rec.channel)
        if (opts.json === true) process.stdout.write(`${JSON.stringify(rows)}\n`)
        else if (rows.length === 0) process.stdout.write('no channels\n')
        else
          for (const r of rows)
            process.stdout.write(
              `${r.role}\t${r.channel}\tdeposit ${r.deposit}\tclaimed ${r.claimed}\tvoucher ${r.newestVoucher}${r.closed === true ? '\tclosed' : r.exiting === true ? '\texiting' : ''}\n`,
            )
      })
    })
}

/** `cocoon channel claim`: the provider claims its newest vouchers now. */
function registerChannelClaim(channel: Command): void {
  common(channel.command('claim'))
    .description('claim the newest vouchers on chain now (provider)')
    .option('--channel <address>', 'only this channel')
    .action(async (opts: CommonOptions & { channel?: string }) => {
      await withContext(opts, async (ctx) => {
        const targets =
          opts.channel === undefined
            ? (await ctx.store.providerChannels()).filter((r) => r.newest > r.claimed).map((r) => r.channel)
            : [parseTonAddress(opts.channel, 'channel').toRawString()]
        if (targets.length === 0) process.stdout.write('nothing to claim\n')
        for (const target of targets) {
          const { paid, claimed } = await claimChannel({
            chain: ctx.chain,
            wallet: ctx.wallet,
            store: ctx.store,
            channel: target,
          })
          process.stdout.write(`${target}: claimed ${formatTon(paid)} (total ${formatTon(claimed)})\n`)
        }
      })
    })
}

/** `cocoon channel close`: the provider closes; the client starts its exit, or withdraws once it elapsed. */
function registerChannelClose(channel: Command): void {
  common(channel.command('close'))
    .description(
      'provider: close now, claiming the newest voucher; client: start the exit, or withdraw once it elapsed',
    )
    .requiredOption('--channel <address>', 'the channel')
    .action(async (opts: CommonOptions & { channel: string }) => {
      await withContext(opts, async (ctx) => {
        const address = parseTonAddress(opts.channel, 'channel').toRawString()
        const view = await readChannel(ctx.chain, address)
        if (view === undefined)
          throw new ChannelUnusableError('channel not found on chain', { details: address })
        const isClient = (await ctx.store.channelMeta('client', address)) !== undefined
        if (!isClient) {
          const { paid } = await closeChannel({
            chain: ctx.chain,
            wallet: ctx.wallet,
            store: ctx.store,
            channel: address,
          })
          process.stdout.write(
            `closed ${address}: claimed ${formatTon(paid)}, the rest went back to the client\n`,
          )
        } else if (view.state.exitRequestedAt === 0) {
          await startChannelExit(ctx.chain, ctx.wallet, address)
          process.stdout.write(
            `exit started on ${address}; run this again after ${view.state.exitDelay} s to withdraw the rest\n`,
          )
        } else {
          await withdrawChannel(ctx.chain, ctx.wallet, address)
          process.stdout.write(`withdrew the rest of ${address}\n`)
        }
      })
    })
}
