import { CocoonError } from '@cocoon-mesh/protocol'

export class HomeNotInitializedError extends CocoonError {
  readonly code = 'ERR_HOME_NOT_INITIALIZED' as const
  override name = 'HomeNotInitializedError'
}

export class IdentityExistsError extends CocoonError {
  readonly code = 'ERR_IDENTITY_EXISTS' as const
  override name = 'IdentityExistsError'
}

export class CorruptKeyError extends CocoonError {
  readonly code = 'ERR_CORRUPT_KEY' as const
  override name = 'CorruptKeyError'
}

export class MalformedConfigError extends CocoonError {
  readonly code = 'ERR_MALFORMED_CONFIG' as const
  override name = 'MalformedConfigError'
}

export class BootstrapUnreachableError extends CocoonError {
  readonly code = 'ERR_BOOTSTRAP_UNREACHABLE' as const
  override name = 'BootstrapUnreachableError'
}

export class ListenError extends CocoonError {
  readonly code = 'ERR_LISTEN' as const
  override name = 'ListenError'
}

export class NodeNotRunningError extends CocoonError {
  readonly code = 'ERR_NODE_NOT_RUNNING' as const
  override name = 'NodeNotRunningError'
}
