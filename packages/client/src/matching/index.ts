/**
 * Client-side matching: which provider should serve a job. Pure and
 * clock-injected so the simulator runs exactly this code.
 */
export * from './cost.js'
export * from './load.js'
export * from './rank.js'
export * from './records.js'
export * from './types.js'
