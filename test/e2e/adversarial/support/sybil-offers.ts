/**
 * A Sybil attacker in its own process: a full peer joining the mesh through
 * the given peers (the bootstrap node and the providers, so its gossip
 * reaches the model's topic at once) that signs `count` offers for `model`, each from a fresh
 * ed25519 key, at price 0 or 1 nanoTON per 1k tokens, and gossips them on the
 * model's topic. None of those providers exists: half the offers carry no
 * address, the other half a dead one (127.0.0.1 port 9, nobody listens).
 * Prints `peer-id <id>`, then `published <n>` once all are out; runs until killed.
 *
 * Run: `node test/e2e/adversarial/support/sybil-offers.ts <comma-separated multiaddrs> <model> <count>`
 * (Node 24 strips the types; the packages resolve to their built dist/).
 */
import { buildOffer } from '@cocoon-mesh/client/internal'
import { createPeer } from '@cocoon-mesh/peer'
import { encodeOrderBookMessage, orderBookTopic, peerIdBytes, signOffer } from '@cocoon-mesh/protocol'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'

const [bootstrap, model, countText] = process.argv.slice(2)
if (bootstrap === undefined || model === undefined || countText === undefined) {
  throw new Error('usage: sybil-offers.ts <comma-separated multiaddrs> <model> <count>')
}
const count = Number(countText)
const peer = await createPeer({
  bootstrap: bootstrap.split(','),
  listen: ['/ip4/127.0.0.1/tcp/0'],
  models: [model],
})
process.stdout.write(`peer-id ${peer.libp2p.peerId.toString()}\n`)
const pubsub = peer.libp2p.services.pubsub
if (pubsub === undefined) throw new Error('the attacker peer runs no gossipsub')
const topic = orderBookTopic(model)
// publish once every peer it dialled listens on the topic, so the flood leaves through all of
// them (through the first subscriber alone, that one relay's per-source limits decide what
// spreads); bounded: 15 s after the first subscriber it publishes to those it has
const neighbours = bootstrap.split(',').length
await new Promise<void>((resolve) => {
  let bound: ReturnType<typeof setTimeout> | undefined
  const done = (): void => {
    clearTimeout(bound)
    pubsub.removeEventListener('subscription-change', check)
    resolve()
  }
  const check = (): void => {
    const subscribers = pubsub.getSubscribers(topic).length
    if (subscribers >= neighbours) done()
    else if (subscribers > 0 && bound === undefined) bound = setTimeout(done, 15_000)
  }
  pubsub.addEventListener('subscription-change', check)
  check()
})
const dead = multiaddr('/ip4/127.0.0.1/tcp/9').bytes
let published = 0
for (let i = 0; i < count; i++) {
  const key = await generateKeyPair('Ed25519')
  const price = BigInt(i % 2)
  const unsigned = buildOffer(
    {
      models: [model],
      prices: { perKPromptTokens: price, perKCompletionTokens: price, perTensorGflop: 0n },
      tokensPerSecond: 1000,
      addrs: i % 2 === 0 ? [] : [new Uint8Array(dead)],
    },
    { provider: peerIdBytes(key), now: Date.now(), ttlMs: 10 * 60_000, sequence: 1n },
  )
  const offer = await signOffer(unsigned, key)
  try {
    await pubsub.publish(topic, encodeOrderBookMessage({ offer }))
    published++
  } catch (error) {
    // a publish the mesh refused: the attack goes on with the next key
    process.stderr.write(`publish ${i} failed: ${String(error)}\n`)
  }
}
process.stdout.write(`published ${published}\n`)
