/**
 * Test doubles for attestation, for this package's tests and other packages'
 * end-to-end tests: never use them outside tests (the test CA makes any
 * quote verify when its root is pinned).
 */

export { type FakeTsm, type FakeTsmOptions, startFakeTsm } from './fake-tsm.js'
export { createTestGpuKey, type TestGpuKey } from './gpu-key.js'
export {
  createTestCa,
  TEST_MR_TD,
  type TestCa,
  type TestCaOptions,
  type TestCollateralOptions,
  type TestQuoteOptions,
} from './test-ca.js'
export { startTestPccs, type TestPccs } from './test-pccs.js'
