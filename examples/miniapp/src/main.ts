/**
 * The Mini App: summarise a text with an LLM job bought from the mesh,
 * tokens streaming into the page, then who served it, at what price and
 * trust tier, and what it cost.
 */
import type { LightPeer } from '@cocoon-mesh/client'
import { parseBootstrap, readConfig } from './config.js'
import { messageFor } from './messages.js'
import { openSession } from './session.js'
import { openStorage } from './storage.js'
import { joinTelegram } from './telegram.js'
import { createView, type View } from './view.js'

const config = readConfig(location.search)
const view = createView(document)
joinTelegram(window)
if (config.bootstrap !== undefined) view.bootstrap.value = config.bootstrap

/** The running light peer and the bootstrap it joined through; a new address starts a new one. */
let session: { bootstrap: string; client: Promise<LightPeer> } | undefined

async function clientFor(bootstrap: string): Promise<LightPeer> {
  if (session?.bootstrap === bootstrap) return session.client
  const previous = session
  session = {
    bootstrap,
    client: (async () => {
      await (await previous?.client.catch(() => undefined))?.stop()
      return openSession({ bootstrap, store: await openStorage() })
    })(),
  }
  // a failed start is retried by the next click rather than kept
  session.client.catch(() => {
    session = undefined
  })
  return session.client
}

async function summarise(v: View): Promise<void> {
  v.clear()
  const bootstrap = parseBootstrap(v.bootstrap.value)
  v.status('joining the mesh…')
  const client = await clientFor(bootstrap)
  v.status('finding a provider…')
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
    if (tokens === 0) v.status('streaming…')
    tokens += chunk.tokens
    v.append(chunk.text)
  }
  v.usage(await job.usage, undefined)
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
