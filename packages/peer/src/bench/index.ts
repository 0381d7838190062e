/**
 * Peer benchmarks (`npm run bench -w @cocoon-mesh/peer` after a build). Each
 * prints one JSON line per result via `reportBench`, with a baseline measured
 * in the same run. `node dist/bench/index.js stream|jobs|orderbook|ranking|attestation|gateway` runs one group.
 */
import { attestationIntakeBench } from './attestation-intake.js'
import { gatewayLoadBench } from './gateway-load.js'
import { jobsBench } from './jobs.js'
import { orderBookConvergenceBench } from './order-book-convergence.js'
import { rankingBench } from './ranking.js'
import { streamThroughputBench } from './stream-throughput.js'

const only = process.argv[2]
if (only === undefined || only === 'stream') await streamThroughputBench()
if (only === undefined || only === 'jobs') await jobsBench()
if (only === undefined || only === 'orderbook') await orderBookConvergenceBench()
if (only === undefined || only === 'ranking') await rankingBench()
if (only === undefined || only === 'attestation') await attestationIntakeBench()
if (only === undefined || only === 'gateway') await gatewayLoadBench()
process.exit(0)
