import type { ServerResponse } from 'node:http'
import type { OpenAiError } from './errors.js'

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  })
  res.end(text)
}

/** The error's status and body, with `Retry-After` (whole seconds, at least 1) when it carries one. */
export function sendError(
  res: ServerResponse,
  error: OpenAiError,
  headers: Record<string, string> = {},
): void {
  const retry: Record<string, string> =
    error.retryAfterMs === undefined
      ? {}
      : { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) }
  sendJson(res, error.status, error.body, { ...headers, ...retry })
}
