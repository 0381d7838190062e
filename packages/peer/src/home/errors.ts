/**
 * Typed errors of the node's home folder and its start-up: identity, config,
 * listening and bootstrap. Match them by class (`err instanceof CorruptKeyError`).
 */
import { CocoonError, errorLine } from '@cocoon-mesh/protocol'

/** The home folder has no identity key yet: `cocoon init` was not run for it. */
export class HomeNotInitializedError extends CocoonError<'ERR_HOME_NOT_INITIALIZED'> {
  readonly code = 'ERR_HOME_NOT_INITIALIZED' as const
  override readonly name = 'HomeNotInitializedError'
}

/** `cocoon init` would overwrite the identity key the home folder already holds. */
export class IdentityExistsError extends CocoonError<'ERR_IDENTITY_EXISTS'> {
  readonly code = 'ERR_IDENTITY_EXISTS' as const
  override readonly name = 'IdentityExistsError'
}

/** The identity key file cannot be read, or is not a libp2p private key. */
export class CorruptKeyError extends CocoonError<'ERR_CORRUPT_KEY'> {
  readonly code = 'ERR_CORRUPT_KEY' as const
  override readonly name = 'CorruptKeyError'
}

/** The config (file, environment or flags) cannot be read, is not JSON, or a field has the wrong type. */
export class MalformedConfigError extends CocoonError<'ERR_MALFORMED_CONFIG'> {
  readonly code = 'ERR_MALFORMED_CONFIG' as const
  override readonly name = 'MalformedConfigError'
}

/** None of the configured bootstrap peers could be reached (or there is none to ask). */
export class BootstrapUnreachableError extends CocoonError<'ERR_BOOTSTRAP_UNREACHABLE'> {
  readonly code = 'ERR_BOOTSTRAP_UNREACHABLE' as const
  override readonly name = 'BootstrapUnreachableError'
}

/** The node could not listen on its addresses (a port in use, a bad multiaddr). */
export class ListenError extends CocoonError<'ERR_LISTEN'> {
  readonly code = 'ERR_LISTEN' as const
  override readonly name = 'ListenError'
}

/** No node is running from the home folder (no state file, or its process is gone). */
export class NodeNotRunningError extends CocoonError<'ERR_NODE_NOT_RUNNING'> {
  readonly code = 'ERR_NODE_NOT_RUNNING' as const
  override readonly name = 'NodeNotRunningError'
}

/** A model in `provide.models` does not load or answer (missing file, upstream down, wrong API key...). */
export class ModelUnavailableError extends CocoonError<'ERR_MODEL_UNAVAILABLE'> {
  readonly code = 'ERR_MODEL_UNAVAILABLE' as const
  override readonly name = 'ModelUnavailableError'
  /** The model id, as configured. */
  readonly model: string

  constructor(shortMessage: string, options: { model: string; details?: string; cause?: unknown }) {
    super(shortMessage, options)
    this.model = options.model
  }
}

/** Every error of the home folder and node start-up. */
/** Stopping a node left parts running: each failed step with its cause. */
export class ShutdownFailedError extends CocoonError<'ERR_SHUTDOWN_FAILED'> {
  readonly code = 'ERR_SHUTDOWN_FAILED' as const
  override readonly name = 'ShutdownFailedError'
  readonly failures: ReadonlyArray<{ step: string; cause: unknown }>

  constructor(failures: ReadonlyArray<{ step: string; cause: unknown }>) {
    super(`stopping ${failures.map((f) => `the ${f.step}`).join(', ')} failed`, {
      details: failures.map((f) => `${f.step}: ${errorLine(f.cause)}`).join('; '),
      cause: failures[0]?.cause,
    })
    this.failures = failures
  }
}

export type HomeError =
  | HomeNotInitializedError
  | IdentityExistsError
  | CorruptKeyError
  | MalformedConfigError
  | BootstrapUnreachableError
  | ListenError
  | NodeNotRunningError
  | ShutdownFailedError
  | ModelUnavailableError

/** The codes of {@link HomeError}. */
export type HomeErrorCode = HomeError['code']
