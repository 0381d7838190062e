/**
 * The `gateway` section of the home folder's config file: who may call the
 * OpenAI-compatible gateway from a web page, and its queue. Flags override it.
 *
 * ```jsonc
 * "gateway": { "cors": { "origins": ["http://localhost:5173"], "credentials": false },
 *              "queue": { "maxRunning": 64, "maxWaiting": 256, "maxWaitMs": 30000 } }
 * ```
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage } from '@cocoon-mesh/protocol'
import { Ajv } from 'ajv'
import { CONFIG_FILE, stripJsonComments } from './config.js'
import { isErrno } from './errno.js'
import { MalformedConfigError } from './errors.js'

export interface GatewayConfig {
  cors: { origins: string[]; credentials: boolean }
  queue: { maxRunning?: number; maxWaiting?: number; maxWaitMs?: number }
}

const positive = { type: 'integer', minimum: 1 }

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    cors: {
      type: 'object',
      additionalProperties: false,
      properties: {
        origins: { type: 'array', items: { type: 'string', minLength: 1 } },
        credentials: { type: 'boolean' },
      },
    },
    queue: {
      type: 'object',
      additionalProperties: false,
      properties: { maxRunning: positive, maxWaiting: { type: 'integer', minimum: 0 }, maxWaitMs: positive },
    },
  },
}

const validate = new Ajv().compile(schema)

/**
 * The `gateway` section of `text` (defaults when absent).
 * @throws {MalformedConfigError} naming the field that is wrong.
 */
export function parseGatewayConfig(text: string, source = CONFIG_FILE): GatewayConfig {
  let root: unknown
  try {
    root = JSON.parse(stripJsonComments(text))
  } catch (error) {
    throw new MalformedConfigError(`${source} is not valid JSON`, {
      details: errorMessage(error),
      cause: error,
    })
  }
  const section = (root as { gateway?: unknown } | null)?.gateway ?? {}
  if (!validate(section)) {
    const e = validate.errors?.[0]
    const where = `gateway${e?.instancePath.replaceAll('/', '.') ?? ''}`
    const extra =
      e?.keyword === 'additionalProperties' ? ` (unknown field "${String(e.params.additionalProperty)}")` : ''
    throw new MalformedConfigError(`Invalid ${where} in ${source}`, {
      details: `${where} ${e?.message ?? 'is invalid'}${extra}. Expected { "cors": { "origins": [...], "credentials": false }, "queue": { "maxRunning", "maxWaiting", "maxWaitMs" } }.`,
    })
  }
  const g = section as { cors?: Partial<GatewayConfig['cors']>; queue?: GatewayConfig['queue'] }
  return {
    cors: { origins: g.cors?.origins ?? [], credentials: g.cors?.credentials ?? false },
    queue: g.queue ?? {},
  }
}

/**
 * Reads the `gateway` section of `home/config.jsonc` (defaults when the file is absent).
 * @throws {MalformedConfigError}
 */
export async function loadGatewayConfig(home: string): Promise<GatewayConfig> {
  const path = join(home, CONFIG_FILE)
  try {
    return parseGatewayConfig(await readFile(path, 'utf8'), path)
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return parseGatewayConfig('{}', path)
    if (error instanceof MalformedConfigError) throw error
    throw new MalformedConfigError(`Cannot read ${path}`, { details: errorMessage(error), cause: error })
  }
}
