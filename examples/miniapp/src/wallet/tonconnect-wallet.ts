/**
 * The user's own TON wallet through TON Connect (`@tonconnect/ui`), loaded
 * only when the page is asked to pay with it (`?tonconnect=<manifest URL>`).
 */
import { WalletTransactionError } from '@cocoon-mesh/settlement'
import type { WalletAdapter } from './wallet.js'

/** How long the page waits for the user to pick and approve a wallet in the modal. */
const CONNECT_WAIT_MS = 180_000

/** What {@link tonConnectWallet} throws: no wallet connected within the wait. */
export type TonConnectWalletErrorType = WalletTransactionError

/**
 * Connects (or restores the connection to) the user's wallet, opening TON
 * Connect's modal when none is connected.
 * @throws {TonConnectWalletErrorType}
 */
export async function tonConnectWallet(manifestUrl: string): Promise<WalletAdapter> {
  const [{ TonConnectUI }, { sendTonConnectTransaction }] = await Promise.all([
    import('@tonconnect/ui'),
    import('@cocoon-mesh/settlement/tonconnect'),
  ])
  const ui = new TonConnectUI({ manifestUrl })
  await ui.connectionRestored
  if (ui.account === null) {
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe()
        reject(
          new WalletTransactionError('no wallet was connected', {
            details: `the wallet picker stayed open ${CONNECT_WAIT_MS / 1000} s; press Summarise to open it again`,
          }),
        )
      }, CONNECT_WAIT_MS)
      const unsubscribe = ui.onStatusChange((wallet) => {
        if (wallet === null) return
        clearTimeout(timer)
        unsubscribe()
        resolve()
      })
    })
    await ui.openModal()
    await connected
  }
  const account = ui.account
  if (account === null)
    throw new WalletTransactionError('the wallet disconnected', { details: 'connect it again and retry' })
  return {
    address: account.address,
    sendTransaction: (request) => sendTonConnectTransaction(ui, request),
  }
}
