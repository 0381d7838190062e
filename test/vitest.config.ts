import { defineConfig } from 'vitest/config'
import { testConfig } from '../vitest.shared.ts'

// this workspace is itself a test folder: unit/ and e2e/ sit at its root
export default defineConfig(testConfig('.'))
