/** The light peer SDK for apps: `createLightClient` and its typed errors. */
export {
  AbortedError,
  AllProvidersFailedError,
  AllRejectedError,
  BudgetExceededError,
  JobDeadlineError,
  NoProviderError,
} from '../jobs/errors.js'
export * from './light-client.js'
export * from './payments.js' // [payments, issue 6]
