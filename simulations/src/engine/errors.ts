import { CocoonError } from '@cocoon-mesh/protocol'

/**
 * The simulator broke one of its own rules (two parts of a run disagree on
 * what happened): a bug in cocoon-sim, never a fault of the scenario.
 */
export class SimulationInvariantError extends CocoonError<'ERR_SIMULATION_INVARIANT'> {
  readonly code = 'ERR_SIMULATION_INVARIANT' as const
  override readonly name = 'SimulationInvariantError'

  constructor(shortMessage: string) {
    super(shortMessage, {
      details: 'This is a bug in cocoon-sim: please report it with the scenario file and the seed.',
    })
  }
}
