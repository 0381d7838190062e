export * from './errors.js'
export * from './job-metrics.js'
export * from './metrics-server.js'
export * from './settlement-metrics.js'
