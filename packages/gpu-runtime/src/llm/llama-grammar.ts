/**
 * Grammars for constrained decoding with node-llama-cpp: any JSON object
 * (llama.cpp's JSON grammar), JSON valid against a schema
 * (`createGrammarForJsonSchema`), a caller's GBNF grammar, and tool calls
 * `{"name": ..., "arguments": ...}` whose arguments match the function's
 * parameters. Output under such a grammar is valid by construction, unless
 * `maxTokens` cuts it (finish reason `length`).
 */
import { randomUUID } from 'node:crypto'
import type { Llama, LlamaGrammar } from 'node-llama-cpp'
import { InvalidRequestError } from '../errors.js'
import type { GenerateRequest, JsonSchema, ToolCall, ToolDefinition } from '../types.js'
import { checkGrammarSchema } from './json-schema-subset.js'
import { usesTools } from './request.js'

/** How a completion is constrained and how it is read at the end. */
export interface LlamaConstraint {
  grammar: LlamaGrammar | undefined
  /** The tools the completion may be a call of (undefined when it is plain text). */
  tools: ToolDefinition[] | undefined
  /** `forced`: the completion is a call; `auto`: a call when it starts with `{`. */
  toolMode: 'forced' | 'auto' | undefined
  /**
   * The grammar ends a JSON value with blank lines it allows without end
   * (node-llama-cpp's schema grammars): generation stops at the first blank
   * lines after JSON, since whitespace there never belongs to the value.
   */
  endsWithBlankLines: boolean
}

/** The blank lines node-llama-cpp's schema grammars put after the value. */
export const JSON_SUFFIX = '\n\n\n\n'

/**
 * The grammar of a request. A schema the grammar cannot enforce or a GBNF
 * grammar llama.cpp cannot parse is InvalidRequestError.
 */
export async function llamaConstraint(llama: Llama, request: GenerateRequest): Promise<LlamaConstraint> {
  const format = request.responseFormat
  if (usesTools(request)) return toolConstraint(llama, request)
  if (format === undefined)
    return { grammar: undefined, tools: undefined, toolMode: undefined, endsWithBlankLines: false }
  if (format.type === 'json_object') return plain(await llama.getGrammarFor('json'), false)
  if (format.type === 'json_schema')
    return plain(await schemaGrammar(llama, 'responseFormat.schema', format.schema), true)
  try {
    return plain(await llama.createGrammar({ grammar: format.grammar }), false)
  } catch (error) {
    throw new InvalidRequestError('responseFormat.grammar is not a GBNF grammar llama.cpp accepts', {
      details: String(error).slice(0, 300),
      cause: error,
    })
  }
}

function plain(grammar: LlamaGrammar, endsWithBlankLines: boolean): LlamaConstraint {
  return { grammar, tools: undefined, toolMode: undefined, endsWithBlankLines }
}

async function schemaGrammar(llama: Llama, field: string, schema: JsonSchema): Promise<LlamaGrammar> {
  checkGrammarSchema(field, schema)
  try {
    // checkGrammarSchema admitted only the keywords node-llama-cpp's GbnfJsonSchema has
    const generated = await llama.createGrammarForJsonSchema(
      schema as Parameters<Llama['createGrammarForJsonSchema']>[0],
    )
    return await llama.createGrammar({
      grammar: boundedNumbers(generated.grammar),
      trimWhitespaceSuffix: true,
    })
  } catch (error) {
    throw new InvalidRequestError(`${field} could not be turned into a grammar`, {
      details: String(error).slice(0, 300),
      cause: error,
    })
  }
}

/** node-llama-cpp's exponent: up to 16 digits, so `1e999` (JSON.parse: Infinity) and `5e-3` for an integer pass. */
const EXPONENT = '([eE] [-+]? ("0" | [1-9] [0-9]{0,15}))?'

/**
 * The grammar with numbers a JSON parser reads back as they were written: an
 * integer has no exponent (`1e-3` is not an integer, `1e999` is Infinity) and
 * a number's exponent has at most two digits.
 */
export function boundedNumbers(grammar: string): string {
  return grammar
    .split('\n')
    .map((line) => {
      if (line.startsWith('integer-number-rule ::=')) return line.replace(EXPONENT, '')
      if (line.startsWith('fractional-number-rule ::='))
        return line.replace(EXPONENT, '([eE] [-+]? [0-9]{1,2})?')
      return line
    })
    .join('\n')
}

/** The schema of one call of `tool`: its name as a constant, its parameters as the arguments. */
function callSchema(tool: ToolDefinition): JsonSchema {
  return {
    type: 'object',
    properties: { name: { const: tool.name }, arguments: tool.parameters ?? { type: 'object' } },
  }
}

async function toolConstraint(llama: Llama, request: GenerateRequest): Promise<LlamaConstraint> {
  const choice = request.toolChoice
  const all = request.tools ?? []
  const tools = typeof choice === 'object' ? all.filter((t) => t.name === choice.name) : all
  for (const tool of tools) checkGrammarSchema(`tools.${tool.name}.parameters`, tool.parameters ?? {})
  const schema =
    tools.length === 1 ? callSchema(tools[0] as ToolDefinition) : { oneOf: tools.map(callSchema) }
  const call = await schemaGrammar(llama, 'tools', schema)
  if (choice === 'required' || typeof choice === 'object')
    return { grammar: call, tools, toolMode: 'forced', endsWithBlankLines: true }
  // auto: either a call, or text that does not start with "{"
  const grammar = await llama.createGrammar({
    grammar: `${call.grammar.replace(/^root ::=/m, 'cocoon-tool-call ::=')}\nroot ::= cocoon-tool-call | cocoon-text\ncocoon-text ::= [^{] [^\\x00]*\n`,
    trimWhitespaceSuffix: true,
  })
  return { grammar, tools, toolMode: 'auto', endsWithBlankLines: true }
}

/**
 * A system message listing the tools, so the model knows what it may call
 * and in which shape (the grammar enforces the shape either way).
 */
export function toolsPrompt(tools: readonly ToolDefinition[]): string {
  const list = tools.map((t) => ({
    name: t.name,
    description: t.description ?? '',
    parameters: t.parameters ?? {},
  }))
  return `You can call these functions:\n${JSON.stringify(list)}\nTo call one, answer with only a JSON object {"name": <function name>, "arguments": <arguments object>}.`
}

/**
 * An earlier tool call as the model's own turn: the JSON object `toolsPrompt`
 * tells it to answer with, so the history shows it the shape it is held to
 * (node-llama-cpp's function-call items would render another syntax, which
 * the grammar then forbids).
 */
export function toolCallText(call: Pick<ToolCall, 'name' | 'arguments'>): string {
  const args = call.arguments.trim() === '' ? '{}' : call.arguments
  return `{"name": ${JSON.stringify(call.name)}, "arguments": ${args}}`
}

/** A tool's result as the turn that follows the call: which call it answers, then the result. */
export function toolResultText(name: string | undefined, callId: string, content: string): string {
  return `Result of the call ${callId}${name === undefined ? '' : ` to ${name}`}:\n${content}`
}

/**
 * The tool call a finished completion is, or undefined when it is text (auto
 * mode) or incomplete (cut by maxTokens).
 */
export function parseToolCall(text: string, tools: readonly ToolDefinition[]): ToolCall | undefined {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{')) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(trimmed)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { name, arguments: args } = parsed as { name?: unknown; arguments?: unknown }
  if (typeof name !== 'string' || !tools.some((t) => t.name === name)) return undefined
  return {
    id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    name,
    arguments: argumentsText(trimmed, args),
  }
}

/**
 * The arguments exactly as the model wrote them: the grammar puts them last,
 * after `"arguments":`, so they are the text up to the call's closing brace
 * (re-serialising would turn a number JSON.parse cannot hold into null).
 */
function argumentsText(call: string, parsed: unknown): string {
  const at = call.search(/"arguments"\s*:/)
  if (at === -1) return JSON.stringify(parsed ?? {})
  const start = call.indexOf(':', at) + 1
  return call.slice(start, call.lastIndexOf('}')).trim()
}
