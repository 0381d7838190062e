/**
 * The provider side's own job errors (the ones both sides share are the
 * client's, in `@cocoon-mesh/client/internal`). One class per condition;
 * match them with `instanceof`.
 */
import { CocoonError } from '@cocoon-mesh/protocol'

/** A job over a relayed connection reached the byte or time budget its provider's operator allows relayed jobs. */
export class RelayBudgetExceededError extends CocoonError<'ERR_RELAY_BUDGET_EXCEEDED'> {
  readonly code = 'ERR_RELAY_BUDGET_EXCEEDED' as const
  override readonly name = 'RelayBudgetExceededError'
}

/** Every error the provider's job service raises itself. */
export type ProviderJobError = RelayBudgetExceededError

/** The codes of {@link ProviderJobError}. */
export type ProviderJobErrorCode = ProviderJobError['code']
