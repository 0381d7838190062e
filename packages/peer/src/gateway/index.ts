/** The OpenAI-compatible gateway over the mesh. */
export * from './errors.js'
export * from './request.js'
export * from './server.js'
export * from './trust-tier.js'
