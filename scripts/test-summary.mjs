#!/usr/bin/env node
// Sums the vitest JSON reports of every workspace into the one line CI reads:
// `N passed, N failed`. A run that executed no test shows up as `0 passed`.
import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const { workspaces } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
let passed = 0
let failed = 0
let skipped = 0
const failures = []
for (const workspace of workspaces) {
  const report = join(root, workspace, '.vitest-report.json')
  if (!existsSync(report)) continue
  const json = JSON.parse(readFileSync(report, 'utf8'))
  passed += json.numPassedTests
  failed += json.numFailedTests
  skipped += json.numPendingTests + json.numTodoTests
  // A file that failed to load counts no test, so count it as a failure.
  for (const file of json.testResults ?? []) {
    const where = relative(root, file.name)
    if (file.status === 'failed' && file.assertionResults.length === 0) {
      failed += 1
      failures.push(`${where}: ${file.message || 'failed to load'}`)
    }
    for (const test of file.assertionResults) {
      if (test.status !== 'failed') continue
      const reason = (test.failureMessages?.[0] ?? '').split('\n')[0]
      failures.push(`${where} > ${test.fullName}: ${reason}`)
    }
  }
}
// Name every failure so a CI log that keeps only its tail still says what broke.
for (const failure of failures) console.log(`FAILED ${failure}`)
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
