// Payments from a home folder in an app that installed only the SDK:
// `node home-payments.mjs <home>`. Prints one JSON line with the error
// `channelPayments` rejected with (its class, code and details), or
// `{ "opened": true }` when it opened.
const [home] = process.argv.slice(2)
const { channelPayments, MissingDependencyError } = await import('@cocoon-mesh/client')
const started = performance.now()
try {
  const opened = await channelPayments({ home })
  await opened.close()
  process.stdout.write(`${JSON.stringify({ opened: true, timings: {}, rssMb: 0 })}\n`)
} catch (err) {
  const out = {
    error: err?.name,
    code: err?.code,
    details: err?.details,
    missingDependency: err instanceof MissingDependencyError,
    timings: { failed: performance.now() - started },
    rssMb: process.memoryUsage().rss / 1e6,
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}
