/**
 * A PCCS v4 over real HTTP (node:http on 127.0.0.1, port 0) serving one
 * collateral, with the headers and bodies a PCCS sends.
 */
import type { DcapCollateral } from '@cocoon-mesh/protocol'

export interface TestPccs {
  url: string
  /** Request paths served so far (path + query). */
  readonly requests: readonly string[]
  close(): Promise<void>
}

export async function startTestPccs(_options: { collateral: DcapCollateral }): Promise<TestPccs> {
  throw new Error('startTestPccs: implementation follows in the next commit')
}
