/** The real Intel TDX quote and collateral (see fixtures/tdx/ATTRIBUTION.md), as wire evidence. */
import { readFile } from 'node:fs/promises'
import type { AttestationEvidence, DcapCollateral } from '@cocoon-mesh/protocol'
import { collateralFromJson, dcapEvidence } from '../src/index.js'

const dir = new URL('./fixtures/tdx/', import.meta.url)

/** A time inside the fixture collateral's validity window (2025-06-19T10:32:27Z .. 2025-07-19T10:00:35Z, the PCK CRL's next update). */
export const FIXTURE_NOW = Date.parse('2025-07-01T00:00:00Z')

export async function fixtureQuote(): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await readFile(new URL('tdx_quote', dir)))
}

export async function fixtureCollateral(): Promise<DcapCollateral> {
  return collateralFromJson(JSON.parse(await readFile(new URL('tdx_quote_collateral.json', dir), 'utf8')))
}

export function evidenceOf(quote: Uint8Array<ArrayBuffer>, collateral: DcapCollateral): AttestationEvidence {
  return { ...dcapEvidence({ quote, collateral }), quote }
}

export async function fixtureEvidence(): Promise<AttestationEvidence> {
  return evidenceOf(await fixtureQuote(), await fixtureCollateral())
}
