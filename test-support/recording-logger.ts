import type { ComponentLogger, Logger } from '@libp2p/interface'

/** A ComponentLogger that records every line with the component it was logged under. */
export function recordingLogger(): {
  logger: ComponentLogger
  lines: Array<{ component: string; format: string }>
} {
  const lines: Array<{ component: string; format: string }> = []
  const forComponent = (component: string): Logger => {
    const log = (format: unknown): void => {
      lines.push({ component, format: String(format) })
    }
    return Object.assign(log, {
      error: log,
      trace: log,
      enabled: true,
      newScope: (name: string) => forComponent(`${component}:${name}`),
    })
  }
  return { logger: { forComponent }, lines }
}
