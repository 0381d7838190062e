/** The light peer SDK for apps: `createLightPeer` and its typed errors. */
export { AbortedError, DeadlineExceededError } from '@cocoon-mesh/protocol'
export {
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  NoProviderError,
} from '../jobs/errors.js'
export * from './light-peer.js'
export * from './payments.js'
