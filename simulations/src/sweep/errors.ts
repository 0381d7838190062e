import { CocoonError } from '@cocoon-mesh/protocol'

/** A sweep file, or a grid point of it, that cannot run: each problem names its field. */
export class InvalidSweepError extends CocoonError<'ERR_INVALID_SWEEP'> {
  readonly code = 'ERR_INVALID_SWEEP' as const
  override readonly name = 'InvalidSweepError'
  /** One line per problem: `field: what was expected`. */
  readonly problems: string[]

  constructor(shortMessage: string, problems: string[], options: { cause?: unknown } = {}) {
    super(shortMessage, { details: problems.join('\n'), cause: options.cause })
    this.problems = problems
  }
}

/** Shard outputs that do not belong together or do not cover the sweep. */
export class ShardMergeError extends CocoonError<'ERR_SHARD_MERGE'> {
  readonly code = 'ERR_SHARD_MERGE' as const
  override readonly name = 'ShardMergeError'
}
