/**
 * The Mini App's benchmarks (`npm run bench`): the browser bundle of an
 * LLM-only app (gzipped) and page load to first token in headless chromium,
 * one JSON line each with a baseline measured in the same run.
 * `node bench/index.ts size|first-token` runs one.
 */
import { bundleSizeBench } from './bundle-size.ts'
import { firstTokenBench } from './first-token.ts'

const only = process.argv[2]
if (only === undefined || only === 'size') await bundleSizeBench()
if (only === undefined || only === 'first-token') await firstTokenBench()
process.exit(0)
