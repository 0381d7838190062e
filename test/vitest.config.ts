import { defineConfig, mergeConfig } from 'vitest/config'
import { sharedTestConfig } from '../vitest.shared.ts'

export default mergeConfig(sharedTestConfig, defineConfig({ test: { include: ['e2e/**/*.test.ts'] } }))
