import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { errorMessage } from '@cocoon-mesh/protocol'

/** What produced an output: enough to rerun it and to tell two outputs apart. */
export interface RunMetadata {
  tool: 'cocoon-sim'
  version: string
  /** The git commit of the checkout that ran, or why it is not known. */
  commit: string
  node: string
  platform: string
  /** sha256 of the scenario file as read (of the sweep file too, for a sweep). */
  scenarioSha256: string
  sweepSha256?: string
}

function packageVersion(): string {
  const json: unknown = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  const version = (json as { version?: unknown }).version
  return typeof version === 'string' ? version : 'unknown'
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: new URL('.', import.meta.url),
      encoding: 'utf8',
      timeout: 5_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch (error) {
    return `unknown (${errorMessage(error).split('\n')[0]})`
  }
}

/** Which tool, commit and runtime produced an output (a cross-check's, which has no scenario file). */
export function toolMetadata(): Omit<RunMetadata, 'scenarioSha256' | 'sweepSha256'> {
  return {
    tool: 'cocoon-sim',
    version: packageVersion(),
    commit: gitCommit(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  }
}

export function runMetadata(hashes: { scenarioSha256: string; sweepSha256?: string }): RunMetadata {
  return { ...toolMetadata(), ...hashes }
}
