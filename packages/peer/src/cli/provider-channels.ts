import { errorLine } from '@cocoon-mesh/protocol'
import { type ChannelMetaRecord, discoverProviderChannels } from '@cocoon-mesh/settlement'
import type { SettlementContext } from '@cocoon-mesh/settlement/node'

/** What reading a provider's channels needs: its wallet, the chain, its voucher store. */
export type ProviderLedger = Pick<SettlementContext, 'wallet' | 'chain' | 'store'>

/** The channels a chain scan found and recorded, or why the scan failed. */
export interface ProviderChannelScan {
  /** Provider channels new to the store, now recorded in it. */
  added: ChannelMetaRecord[]
  /** Why the chain could not be scanned (the listing goes on with the store alone). */
  error?: string
}

/**
 * Scans the chain for channels opened to this node's payout wallet (their
 * notices and payouts in its history, each checked on chain) and records
 * the new ones in the store as provider channels, so a channel a client
 * opened from another machine is listed before any job arrives.
 */
export async function recordProviderChannels(ctx: ProviderLedger): Promise<ProviderChannelScan> {
  let found: Awaited<ReturnType<typeof discoverProviderChannels>>
  try {
    found = await discoverProviderChannels({
      chain: ctx.chain,
      provider: ctx.wallet.address,
      providerKey: ctx.wallet.signingKey.publicKey,
    })
  } catch (error) {
    return { added: [], error: errorLine(error) }
  }
  const added: ChannelMetaRecord[] = []
  for (const { meta } of found) {
    if ((await ctx.store.channelMeta('provider', meta.address)) !== undefined) continue
    const record: ChannelMetaRecord = { ...meta, createdAt: ctx.store.now() }
    await ctx.store.putChannelMeta(record)
    added.push(record)
  }
  return { added }
}
