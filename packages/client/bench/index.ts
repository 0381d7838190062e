/**
 * The light SDK's benchmarks (`npm run bench`), one JSON line each: its
 * installed size from the packed tarballs, and import + start + first token
 * in Node with the RSS, both on one clean install made here.
 * `node bench/index.ts size|first-token` runs one.
 *
 * The local mesh comes from `@cocoon-mesh/peer`, which builds on this package:
 * it cannot be a devDependency here (a cycle), so turbo.json makes this
 * package's bench wait for the peer's build.
 */
import { installSdk } from '../../../test-support/sdk-install.ts'
import { firstTokenBench } from './first-token.ts'
import { installedSizeBench } from './installed-size.ts'

const only = process.argv[2]
const install = await installSdk()
try {
  if (only === undefined || only === 'size') await installedSizeBench(install)
  if (only === undefined || only === 'first-token') await firstTokenBench(install)
} finally {
  await install.remove()
}
process.exit(0)
