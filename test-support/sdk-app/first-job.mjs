// An app's first job with the installed SDK, run in a fresh Node process in
// the app folder: `node first-job.mjs '<bootstrap addrs as JSON>' <model> [entry]`,
// entry `@cocoon-mesh/client` (default) or `@cocoon-mesh/client/bundle`.
// Prints one JSON line: the text, the usage, where the time went (ms since the
// script started: import, start, first token, done) and the RSS at the first token.
const started = performance.now()
const [bootstrapJson = '[]', model = 'tiny', entry = '@cocoon-mesh/client'] = process.argv.slice(2)
const { createLightPeer } = await import(entry)
const imported = performance.now()
// one local provider: rank as soon as it offers rather than wait out the collection window
const peer = await createLightPeer({
  bootstrap: JSON.parse(bootstrapJson),
  coldStart: { collectProviders: 1 },
  signal: AbortSignal.timeout(30_000),
})
const peerStarted = performance.now()
try {
  const job = peer.generate({
    model,
    prompt: 'Summarise: the mesh pays providers per token.',
    maxTokens: 8,
    signal: AbortSignal.timeout(30_000),
  })
  let text = ''
  let firstToken
  let rssMb
  for await (const chunk of job) {
    if (firstToken === undefined) {
      firstToken = performance.now()
      rssMb = process.memoryUsage().rss / 1e6
    }
    text += chunk.text
  }
  const usage = await job.usage
  const done = performance.now()
  const ms = (t) => (t === undefined ? null : t - started)
  const out = {
    text,
    usage,
    timings: { import: ms(imported), start: ms(peerStarted), firstToken: ms(firstToken), done: ms(done) },
    rssMb,
  }
  process.stdout.write(`${JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`)
} finally {
  await peer.stop({ signal: AbortSignal.timeout(5_000) })
}
