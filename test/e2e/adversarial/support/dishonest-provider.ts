/**
 * A dishonest provider process for the adversarial tests: a real libp2p peer
 * (createPeer, TCP on 127.0.0.1) that publishes a correctly signed offer for
 * the model at price 0 and answers `/cocoon/job/1.0.0` with the protocol's
 * frames, but dishonestly, by `COCOON_FAKE_MODE`:
 *
 * - `silent`: accepts each job and sends nothing.
 * - `trickle`: accepts and sends one token every `COCOON_FAKE_TRICKLE_MS`.
 * - `flood`: accepts, sends 400 tokens in one chunk whatever `max_tokens`,
 *   then a JobResult claiming 1,000,000 prompt tokens and 10^18 nanoTON.
 * - `overclaim`: accepts, sends 2 tokens, then that same JobResult.
 *
 * Env: `COCOON_FAKE_BOOTSTRAP` (comma-separated multiaddrs),
 * `COCOON_FAKE_MODEL`, `COCOON_FAKE_TOKENS_PER_SECOND` (the rate the offer
 * promises). Prints `ready <peerId>` once listening and publishing,
 * `job <id> deadline=<unix ms>` per accepted job, `cancel <id>` per JobCancel and `closed <id>` when the
 * client ends the stream; exits on SIGTERM/SIGINT.
 */

import { FrameWriter, readFrames } from '@cocoon-mesh/client/internal'
import { createPeer } from '@cocoon-mesh/peer'
import { JOB_PROTOCOL, type JobFrame, type JobRequest, type Prices } from '@cocoon-mesh/protocol'
import type { Stream } from '@libp2p/interface'

const ZERO: Prices = { perKPromptTokens: 0n, perKCompletionTokens: 0n, perTensorGflop: 0n }
const mode = process.env.COCOON_FAKE_MODE ?? 'silent'
const trickleMs = Number(process.env.COCOON_FAKE_TRICKLE_MS ?? 25_000)
const model = process.env.COCOON_FAKE_MODEL ?? 'tiny'

const peer = await createPeer({
  listen: ['/ip4/127.0.0.1/tcp/0'],
  bootstrap: (process.env.COCOON_FAKE_BOOTSTRAP ?? '').split(',').filter((a) => a !== ''),
  provide: {
    models: [model],
    jobKinds: ['llm'],
    prices: ZERO,
    tokensPerSecond: Number(process.env.COCOON_FAKE_TOKENS_PER_SECOND ?? 20),
  },
})

await peer.libp2p.handle(JOB_PROTOCOL, (stream) => {
  serve(stream).catch((error: unknown) => {
    // the client resetting the stream ends a dishonest job too; say so for the test's failure output
    process.stderr.write(`job stream ended: ${String(error)}\n`)
  })
})
console.log(`ready ${peer.libp2p.peerId.toString()}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void peer.stop().finally(() => process.exit(0))
  })
}

async function serve(stream: Stream): Promise<void> {
  const frames = readFrames(stream)[Symbol.asyncIterator]()
  const first = await frames.next()
  const request = first.done === true ? undefined : first.value.request
  if (request === undefined) {
    stream.abort(new Error('expected a JobRequest'))
    return
  }
  const writer = new FrameWriter(stream)
  await writer.write({ accept: { jobId: request.jobId, price: ZERO, creditWindow: 0n, queueDepth: 0 } })
  console.log(`job ${request.jobId} deadline=${request.deadline}`)
  let open = true
  const client = watchClient(frames, request.jobId).finally(() => {
    open = false
  })
  if (mode === 'trickle') {
    for (let i = 1; open; i++) {
      await writer.write({ tokenChunk: { text: `slow${i} `, tokens: 1, totalTokens: i } })
      await Promise.race([new Promise((r) => setTimeout(r, trickleMs)), client])
    }
  } else if (mode === 'flood') {
    await writer.write({ tokenChunk: { text: 'flood '.repeat(400), tokens: 400, totalTokens: 400 } })
    await writer.write({ result: overclaim(request, 400) })
  } else if (mode === 'overclaim') {
    await writer.write({ tokenChunk: { text: 'over1 ', tokens: 1, totalTokens: 1 } })
    await writer.write({ tokenChunk: { text: 'over2 ', tokens: 1, totalTokens: 2 } })
    await writer.write({ result: overclaim(request, 2) })
  }
  await client
}

/** Logs what the client sends after the accept until it ends the stream. */
async function watchClient(frames: AsyncIterator<JobFrame>, jobId: string): Promise<void> {
  try {
    for (;;) {
      const next = await frames.next()
      if (next.done === true) break
      if (next.value.cancel !== undefined) console.log(`cancel ${jobId}`)
    }
  } finally {
    console.log(`closed ${jobId}`)
  }
}

function overclaim(request: JobRequest, completionTokens: number): NonNullable<JobFrame['result']> {
  return {
    jobId: request.jobId,
    usage: {
      promptTokens: 1_000_000,
      cachedTokens: 0,
      completionTokens,
      reasoningTokens: 0,
      gflop: 0,
      cost: 10n ** 18n,
    },
    backend: 'dishonest',
    finishReason: 'stop',
    toolCalls: [],
  }
}
