/** `npm run bundle -w @cocoon-mesh/example-miniapp`: the page into dist/, with its bundle sizes. */
import { buildMiniApp, DEFAULT_OUTDIR } from './bundle.ts'

const result = await buildMiniApp()
for (const [file, out] of Object.entries(result.metafile?.outputs ?? {}))
  if (!file.endsWith('.map')) process.stdout.write(`${file} ${(out.bytes / 1024).toFixed(1)} KiB\n`)
process.stdout.write(`built into ${DEFAULT_OUTDIR}\n`)
