/**
 * A PCCS v4 over real HTTP (node:http on 127.0.0.1, port 0) serving one
 * collateral, with the headers and bodies a PCCS sends (issuer chains
 * URL-encoded in headers, TCB info and QE identity wrapped with their
 * signatures, the root CA CRL as hex).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DcapCollateral } from '@cocoon-mesh/protocol'

export interface TestPccs {
  url: string
  /** Request paths served so far (path + query). */
  readonly requests: readonly string[]
  close(): Promise<void>
}

interface Answer {
  status: number
  headers: Record<string, string>
  body: string | Uint8Array
}

function answer(path: string, collateral: DcapCollateral): Answer {
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
  const url = new URL(path, 'http://pccs')
  const route = url.pathname.replace(/^\/(sgx|tdx)\/certification\/v4\//, '')
  const chain = (pem: string): string => encodeURIComponent(pem)
  switch (route) {
    case 'pckcrl':
      return {
        status: 200,
        headers: {
          'SGX-PCK-CRL-Issuer-Chain': chain(collateral.pckCrlIssuerChain),
          'content-type': 'application/pkix-crl',
        },
        body: collateral.pckCrl,
      }
    case 'tcb':
      return {
        status: 200,
        headers: {
          'TCB-Info-Issuer-Chain': chain(collateral.tcbInfoIssuerChain),
          'content-type': 'application/json',
        },
        body: `{"tcbInfo":${collateral.tcbInfo},"signature":"${hex(collateral.tcbInfoSignature)}"}`,
      }
    case 'qe/identity':
      return {
        status: 200,
        headers: {
          'SGX-Enclave-Identity-Issuer-Chain': chain(collateral.qeIdentityIssuerChain),
          'content-type': 'application/json',
        },
        body: `{"enclaveIdentity":${collateral.qeIdentity},"signature":"${hex(collateral.qeIdentitySignature)}"}`,
      }
    case 'rootcacrl':
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: hex(collateral.rootCaCrl) }
    default:
      return { status: 404, headers: {}, body: 'not found' }
  }
}

export async function startTestPccs(options: { collateral: DcapCollateral }): Promise<TestPccs> {
  const requests: string[] = []
  const server = createServer((req, res) => {
    const path = req.url ?? '/'
    requests.push(path)
    const { status, headers, body } = answer(path, options.collateral)
    res.writeHead(status, headers)
    res.end(body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
      }),
  }
}
