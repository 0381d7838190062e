/** Runs every gpu-runtime benchmark; each prints one `reportBench` JSON line. */
import { benchLlm } from './llm.js'
import { benchMatmul } from './matmul.js'

await benchLlm()
await benchMatmul()
