import { fileURLToPath } from 'node:url'
import { configDefaults, type TestProjectInlineConfiguration, type ViteUserConfig } from 'vitest/config'

/** Fails a unit test that opens a socket or starts a process. */
const UNIT_IO_GUARD = fileURLToPath(new URL('./test-support/unit-io-guard.ts', import.meta.url))

/**
 * One test configuration for every workspace, in two projects:
 *
 * - `unit`: `<testDir>/unit/**` (and tests beside the sources, `src/**`), run
 *   with test-support/unit-io-guard.ts, which fails any of them that opens a
 *   socket or starts a process. Files share their worker's module cache
 *   (`isolate: false`, which halves the run: libp2p and protons load once per
 *   worker), so a unit test leaves no global state behind (real timers, env).
 *   `npm run test:unit` runs this project only.
 * - `e2e`: every other test under `<testDir>` (`e2e/`, the simulator's
 *   `sim/`): real sockets, processes, chains and whole simulations.
 * - `e2e-alone`: the e2e tests named `*.alone.test.ts`, which load the
 *   machine so hard (a flood of offers through several processes) that a
 *   test beside them would miss its own timing bounds: run one at a time,
 *   after the other two projects.
 *
 * `testDir` is `test` in the packages and `.` in the cross-package workspace
 * (`test/`, whose root is its own test folder). Sources of sibling packages
 * are resolved through the `cocoon-source` export condition, so a test never
 * runs against a stale `dist/`. The JSON report holds both projects and feeds
 * the `N passed, N failed` line that `.ci/run` prints.
 */
export function testConfig(testDir = 'test'): ViteUserConfig {
  const tests = testDir === '.' ? '' : `${testDir}/`
  const unit = [`${tests}unit/**/*.test.ts`, 'src/**/*.test.ts']
  const alone = `${tests}**/*.alone.test.ts`
  const project = (
    name: string,
    test: NonNullable<TestProjectInlineConfiguration['test']>,
  ): TestProjectInlineConfiguration => ({
    resolve: { conditions: ['cocoon-source'] },
    ssr: { resolve: { conditions: ['cocoon-source'] } },
    test: { name, testTimeout: 60_000, hookTimeout: 60_000, pool: 'forks', ...test },
  })
  return {
    test: {
      teardownTimeout: 30_000,
      reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
      projects: [
        project('unit', {
          include: unit,
          setupFiles: [UNIT_IO_GUARD],
          isolate: false,
          sequence: { groupOrder: 0 },
        }),
        project('e2e', {
          include: [`${tests}**/*.test.ts`],
          exclude: [...configDefaults.exclude, ...unit, alone],
          sequence: { groupOrder: 0 },
        }),
        project('e2e-alone', { include: [alone], fileParallelism: false, sequence: { groupOrder: 1 } }),
      ],
    },
  }
}
