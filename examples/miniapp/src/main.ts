/**
 * The Mini App: summarise a text with an LLM job bought from the mesh,
 * tokens streaming into the page, then who served it, at what price and
 * trust tier, and what it cost. With `?devnet=` or `?tonconnect=` it pays
 * through a payment channel opened from a wallet.
 */
import type { LightPeer } from '@cocoon-mesh/client'
import type { Datastore } from 'interface-datastore'
import { type PageConfig, parseBootstrap, readConfig } from './config.js'
import { WalletUnavailableError } from './errors.js'
import { messageFor } from './messages.js'
import type { PagePayments } from './payments.js'
import { openSession } from './session.js'
import { openStorage } from './storage.js'
import { joinTelegram } from './telegram.js'
import { createView, type View } from './view.js'
import type { WalletAdapter } from './wallet/wallet.js'

const config = readConfig(location.search)
const view = createView(document)
joinTelegram(window)
if (config.bootstrap !== undefined) view.bootstrap.value = config.bootstrap

/** The page's one IndexedDB datastore, opened on first use (a failed open is retried by the next). */
let storage: ReturnType<typeof openStorage> | undefined
function pageStore(): ReturnType<typeof openStorage> {
  storage ??= openStorage().catch((error: unknown) => {
    storage = undefined
    throw error
  })
  return storage
}

interface Session {
  client: LightPeer
  pay: PagePayments | undefined
}

/** The running light peer and the bootstrap it joined through; a new address starts a new one. */
let session: { bootstrap: string; started: Promise<Session> } | undefined

function sessionFor(bootstrap: string): Promise<Session> {
  if (session?.bootstrap === bootstrap) return session.started
  const previous = session
  const started = (async () => {
    // a previous start that failed was already shown to the user by its own click: nothing to stop
    const old = await previous?.started.catch(() => undefined)
    await old?.client.stop()
    await old?.pay?.close()
    const store = await pageStore()
    const pay = await paymentsFor(config, store)
    return { client: await openSession({ bootstrap, store, ...pay }), pay: pay?.pay }
  })()
  session = { bootstrap, started }
  // a failed start is retried by the next click rather than kept
  started.catch(() => {
    if (session?.started === started) session = undefined
  })
  return started
}

/** Payments through channels when the page has a wallet to open them from; free jobs otherwise. */
async function paymentsFor(
  c: PageConfig,
  store: Datastore,
): Promise<{ pay: PagePayments; payments: PagePayments['payments'] } | undefined> {
  if (c.devnet === undefined && c.tonconnectManifest === undefined) return undefined
  const { pagePayments } = await import('./payments.js')
  const { TON_NETWORK_ENDPOINTS } = await import('@cocoon-mesh/settlement')
  const pay = await pagePayments({
    store,
    endpoint: c.devnet ?? TON_NETWORK_ENDPOINTS[c.network],
    network: c.devnet === undefined ? c.network : 'devnet',
  })
  return { pay, payments: pay.payments }
}

async function walletFor(c: PageConfig, store: Datastore): Promise<WalletAdapter> {
  if (c.devnet !== undefined) return (await import('./wallet/devnet-wallet.js')).devnetWallet(store, c.devnet)
  if (c.tonconnectManifest !== undefined)
    return (await import('./wallet/tonconnect-wallet.js')).tonConnectWallet(c.tonconnectManifest)
  throw new WalletUnavailableError('the page has no wallet to pay from', {
    details: 'open it with ?devnet=<devnet endpoint> for a local mesh or ?tonconnect=<manifest URL>',
  })
}

async function summarise(v: View): Promise<void> {
  v.clear()
  const bootstrap = parseBootstrap(v.bootstrap.value)
  v.status('joining the mesh…')
  const { client, pay } = await sessionFor(bootstrap)
  v.status('finding a provider…')
  let channel: string | undefined
  if (pay !== undefined) {
    const [best] = await client.offers(config.model)
    if (best !== undefined) {
      v.status('opening a payment channel…')
      channel = await pay.channelTo(best, async () => walletFor(config, await pageStore()))
    }
  }
  const job = client.generate({
    model: config.model,
    messages: [
      { role: 'system', content: 'Summarise the user text in one or two sentences.' },
      { role: 'user', content: v.text.value },
    ],
    maxTokens: config.maxTokens,
  })
  let tokens = 0
  for await (const chunk of job) {
    if (tokens === 0) {
      // read by the benchmark: page load to first token
      performance.mark('cocoon:first-token')
      v.status('streaming…')
    }
    tokens += chunk.tokens
    v.append(chunk.text)
  }
  const usage = await job.usage
  v.usage(
    usage,
    channel === undefined || pay === undefined ? undefined : { channel, signed: await pay.signed(channel) },
  )
  v.status(`done: ${tokens} tokens`)
}

view.summarise.addEventListener('click', () => {
  view.summarise.disabled = true
  summarise(view)
    .catch((error: unknown) => {
      view.status('')
      view.error(messageFor(error))
      console.error(error)
    })
    .finally(() => {
      view.summarise.disabled = false
    })
})
view.status('ready')

// Join the mesh and read its offers while the user types, so a click goes straight to a
// provider; a failure here is shown, and the click tries again and says what to do.
if (config.bootstrap !== undefined) {
  const joining = config.bootstrap
  // a job started meanwhile owns the status line
  const idle = (): boolean => !view.summarise.disabled && view.bootstrap.value.trim() === joining
  Promise.resolve()
    .then(() => sessionFor(parseBootstrap(joining)))
    .then(({ client }) => client.offers(config.model))
    .then(
      (offers) => {
        if (idle()) view.status(`ready: ${offers.length} offers for ${config.model}`)
      },
      (error: unknown) => {
        if (idle()) view.status(`ready (not connected yet: ${messageFor(error).title})`)
        console.error(error)
      },
    )
}
