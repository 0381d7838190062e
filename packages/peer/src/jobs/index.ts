/**
 * The provider side of the `/cocoon/job/1.0.0` protocol: the job service, its
 * admission and request validation. The client side is `@cocoon-mesh/client`.
 */
export * from './provider.js'
export * from './serve.js'
export * from './validate.js'
