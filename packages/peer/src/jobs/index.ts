/**
 * The `/cocoon/job/1.0.0` protocol: the provider's job service and the
 * client's failover job runner.
 */
export * from './attempt.js'
export * from './errors.js'
export * from './frames.js'
export * from './limits.js'
export * from './provider.js'
export * from './run-embedding.js'
export * from './run-job.js'
export * from './serve.js'
export * from './tensors.js'
export * from './validate.js'
