import type { ViteUserConfig } from 'vitest/config'

/**
 * One test configuration for every workspace. Sources of sibling packages are
 * resolved through the `cocoon-source` export condition, so a test never runs
 * against a stale `dist/`. The JSON report feeds the `N passed, N failed` line
 * that `.ci/run` prints.
 */
export const sharedTestConfig: ViteUserConfig = {
  resolve: { conditions: ['cocoon-source'] },
  ssr: { resolve: { conditions: ['cocoon-source'] } },
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
}
