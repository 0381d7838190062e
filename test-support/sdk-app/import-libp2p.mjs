// The baseline of the SDK's first-token benchmark, in a fresh Node process in
// the same app folder: importing the unbundled libp2p stack alone (libp2p,
// TCP, noise, yamux). Prints one JSON line: ms for the imports, RSS after them.
const started = performance.now()
await Promise.all([
  import('libp2p'),
  import('@libp2p/tcp'),
  import('@chainsafe/libp2p-noise'),
  import('@chainsafe/libp2p-yamux'),
])
const imported = performance.now()
process.stdout.write(
  `${JSON.stringify({ timings: { import: imported - started }, rssMb: process.memoryUsage().rss / 1e6 })}\n`,
)
