/** What the page tells a user about a failure: what happened, and what to do about it. */
import {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  DeadlineExceededError,
  NoProviderError,
} from '@cocoon-mesh/client'
import { describeError } from '@cocoon-mesh/protocol'
import { ChainTimeoutError, WalletDeclinedError, WalletTransactionError } from '@cocoon-mesh/settlement'
import {
  BadBootstrapError,
  isQuotaExceeded,
  MeshUnreachableError,
  StorageFullError,
  StorageUnavailableError,
  WalletUnavailableError,
} from './errors.js'

export interface UserMessage {
  title: string
  action: string
}

export function messageFor(error: unknown): UserMessage {
  const { message, details } = describeError(error)
  const said = (action: string): UserMessage => ({ title: message, action: details ?? action })
  if (error instanceof BadBootstrapError) return said('fix the bootstrap address above')
  if (error instanceof MeshUnreachableError)
    return said('check that the mesh runs (`npm run demo -- --serve`) and the address is its /ws one')
  if (error instanceof StorageFullError || error instanceof StorageUnavailableError)
    return said('allow or free site data for this page, then reload')
  // the voucher store writes to IndexedDB while paying: a full one fails the job
  if (isQuotaExceeded(error))
    return {
      title: "the browser's storage for this site is full: the page could not record a payment",
      action: 'free space for this site (browser settings, site data), then reload and retry',
    }
  if (error instanceof WalletDeclinedError)
    return { title: message, action: 'nothing was sent; press Summarise to ask your wallet again' }
  if (error instanceof WalletTransactionError) return said('check the wallet, then press Summarise again')
  if (error instanceof ChainTimeoutError)
    return said('the channel did not appear on chain in time; check the wallet sent it, then retry')
  if (error instanceof WalletUnavailableError) return said('open the page with ?devnet= or ?tonconnect=')
  if (error instanceof NoProviderError)
    return said('no provider offers this model at an acceptable price right now; try again shortly')
  if (error instanceof AllProvidersFailedError)
    return {
      title: 'the connection to every provider was lost mid-job',
      action: `press Summarise to try again (${message})`,
    }
  if (error instanceof AllRejectedError) return said('every provider is busy; try again shortly')
  if (error instanceof BudgetExceededError) return said('the job would cost more than its budget')
  if (error instanceof DeadlineExceededError) return said('the mesh answered too slowly; try again')
  return said('reload the page and try again')
}
