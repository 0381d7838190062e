/** The light peer SDK for apps: `createLightPeer` and its typed errors. */
export {
  AbortedError,
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  DeadlineExceededError,
  NoProviderError,
} from '../jobs/errors.js'
export * from './light-peer.js'
export * from './payments.js'
