/**
 * The SDK's installed size: `npm pack` of the client and its workspace
 * packages, installed in an empty folder with their dependency closure (the
 * same install as test/e2e/sdk-pack.test.ts), against the 60 MB goal; with
 * the number of packages and of native modules in that tree.
 */
import { reportBench } from '@cocoon-mesh/protocol'
import { inspectInstall, type SdkInstall } from '../../../test-support/sdk-install.ts'

export const GOAL_MB = 60

export async function installedSizeBench(install: SdkInstall): Promise<void> {
  const tree = await inspectInstall(install.appDir)
  const packed = install.tarballs.reduce((sum, t) => sum + t.size, 0)
  reportBench({
    bench: `SDK installed size (node_modules of a clean folder with the packed SDK) vs the ${GOAL_MB} MB goal`,
    value: tree.bytes / 1e6,
    unit: 'MB',
    baseline: GOAL_MB,
    better: 'lower',
  })
  reportBench({
    bench: 'SDK tarballs (client and its workspace packages), packed',
    value: packed / 1e6,
    unit: 'MB',
  })
  reportBench({ bench: 'SDK installed packages', value: tree.packages.length, unit: 'packages' })
  reportBench({
    bench: 'SDK installed native modules and install scripts',
    value: tree.native.length,
    unit: 'modules',
  })
  if (tree.native.length > 0 || tree.heavy.length > 0) {
    process.stderr.write(
      `SDK install holds native or heavy packages: ${[...tree.native, ...tree.heavy].join(', ')}\n`,
    )
  }
}
