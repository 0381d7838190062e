/** The dashboard's access token: random per start, compared in constant time. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** The cookie the page gets once its URL carried the token, so its scripts and streams need no token in their URLs. */
export const TOKEN_COOKIE = 'cocoon-dashboard'

/** 192 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url')
}

/** Whether `given` is `token`, in time independent of where they differ (both hashed to the same length first). */
export function tokenMatches(token: string, given: string | undefined): boolean {
  if (given === undefined) return false
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(token), digest(given))
}

/** The token a request carries: `?token=` in its URL, else the dashboard's cookie. */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const fromQuery = url.searchParams.get('token')
  if (fromQuery !== null) return fromQuery
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === TOKEN_COOKIE) return value.join('=')
  }
  return undefined
}
