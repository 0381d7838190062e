/**
 * CORS for web pages calling the gateway: which origins may, the preflight
 * answer, and the headers of the actual response. Pure (headers in, headers out).
 */

export interface CorsOptions {
  /** Origins allowed to call the gateway, e.g. `http://localhost:5173`; `*` allows any. Default none. */
  origins: readonly string[]
  /** Send `Access-Control-Allow-Credentials: true` to the listed origins (never to `*`, which would let any page send the caller's credentials). Default false. */
  credentials?: boolean
  /** How long a browser may cache the preflight, seconds. Default 600. */
  maxAgeSeconds?: number
}

const METHODS = 'GET, POST, OPTIONS'
const DEFAULT_HEADERS = 'authorization, content-type, openai-organization, openai-project, x-stainless-*'

/** Whether `origin` may call the gateway. */
function allowed(origin: string | undefined, cors: CorsOptions | undefined): origin is string {
  if (origin === undefined || cors === undefined) return false
  return cors.origins.includes('*') || cors.origins.includes(origin)
}

/** The CORS headers of a response to `origin` (empty when it is not allowed). */
export function corsHeaders(
  origin: string | undefined,
  cors: CorsOptions | undefined,
): Record<string, string> {
  if (!allowed(origin, cors)) return {}
  const listed = cors?.origins.includes(origin) === true
  const wildcard = !listed
  return {
    'access-control-allow-origin': wildcard ? '*' : origin,
    ...(wildcard ? {} : { vary: 'Origin' }),
    ...(listed && cors?.credentials === true ? { 'access-control-allow-credentials': 'true' } : {}),
    'access-control-expose-headers': 'retry-after, x-request-id',
  }
}

/**
 * The answer to an `OPTIONS` preflight: 204 with the allowed methods, the
 * requested headers (or the ones OpenAI clients send) and the max age for an
 * allowed origin; 403 for an origin that is not allowed.
 */
export function preflight(
  origin: string | undefined,
  requestedHeaders: string | undefined,
  cors: CorsOptions | undefined,
): { status: number; headers: Record<string, string> } {
  if (!allowed(origin, cors)) return { status: 403, headers: {} }
  return {
    status: 204,
    headers: {
      ...corsHeaders(origin, cors),
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': requestedHeaders ?? DEFAULT_HEADERS,
      'access-control-max-age': String(cors?.maxAgeSeconds ?? 600),
      vary: 'Origin, Access-Control-Request-Headers',
    },
  }
}
