/**
 * `cocoon models list | add | remove | pull | test`: the models a provider
 * sells (`provide.models` in config.jsonc), edited in place, downloaded and tried.
 */
import { isAbsolute, join, resolve } from 'node:path'
import { createRuntime, pullModel } from '@cocoon-mesh/gpu-runtime'
import { resolveHome } from '@cocoon-mesh/settlement/node'
import { type Command, InvalidArgumentError } from 'commander'
import { loadConfigFile, type NodeConfig } from '../../home/config.js'
import { addProvidedModel, removeProvidedModel } from '../../home/config-edit.js'
import { MalformedConfigError } from '../../home/errors.js'
import {
  describeSource,
  ggufSource,
  PROVIDER_MODELS_DIR,
  type ProvidedModel,
  providedModels,
  runtimeModelConfig,
} from '../../home/provide-models.js'
import { measureModel } from '../../jobs/model-check.js'
import type { RegisterCommand } from './index.js'

const out = (line: string): boolean => process.stdout.write(`${line}\n`)

function positiveInt(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`"${value}" is not a positive integer`)
  return n
}

/** The configured entry `id`. @throws {MalformedConfigError} naming what is configured. */
function entryOf(config: NodeConfig, id: string): ProvidedModel {
  const models = providedModels(config.provide.models)
  const model = models.find((m) => m.id === id)
  if (model === undefined)
    throw new MalformedConfigError(`provide.models has no model "${id}"`, {
      details: `Configured: ${models.map((m) => m.id).join(', ') || 'none'}. Add it with \`cocoon models add ${id} <source>\`.`,
    })
  return model
}

interface AddOptions {
  home?: string
  upstreamModel?: string
  apiKeyEnv?: string
  maxConcurrency?: number
  contextSize?: number
  gpu?: string
}

/** The entry `cocoon models add <id> <source>` writes: an http(s) source is an upstream, the rest a GGUF path or hf: URI. */
function entryFromArgs(
  id: string,
  source: string,
  opts: AddOptions,
): { id: string; [field: string]: unknown } {
  const entry: { id: string; [field: string]: unknown } = { id }
  if (/^https?:\/\//.test(source)) {
    entry.upstream = {
      baseUrl: source,
      ...(opts.upstreamModel === undefined ? {} : { model: opts.upstreamModel }),
      ...(opts.apiKeyEnv === undefined ? {} : { apiKeyEnv: opts.apiKeyEnv }),
    }
  } else {
    entry.source = source.startsWith('hf:') || isAbsolute(source) ? source : resolve(source)
  }
  if (opts.maxConcurrency !== undefined) entry.maxConcurrency = opts.maxConcurrency
  if (opts.contextSize !== undefined) entry.contextSize = opts.contextSize
  if (opts.gpu !== undefined) entry.gpu = opts.gpu
  return entry
}

function registerList(models: Command): void {
  models
    .command('list')
    .description('the models this node sells (provide.models), with where each runs')
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option('--json', 'print JSON')
    .action(async (opts: { home?: string; json?: boolean }) => {
      const home = resolveHome(opts.home)
      const config = await loadConfigFile(home)
      const list = providedModels(config.provide.models).map((m) => ({
        ...m,
        runs: describeSource(home, m),
        maxConcurrency: m.maxConcurrency ?? config.provide.maxConcurrency,
      }))
      if (opts.json === true) return void out(JSON.stringify(list, null, 2))
      if (list.length === 0)
        return void out(
          'no models: `cocoon models add <id> <source>`, or `cocoon init --try` for a test model',
        )
      for (const m of list) out(`${m.id}  ${m.runs}  slots=${m.maxConcurrency}`)
    })
}

function registerAdd(models: Command): void {
  models
    .command('add <id> <source>')
    .description(
      'add a model to provide.models: <source> is a GGUF file, an hf:<user>/<repo>[:<quant>] URI, or the http(s) URL of an OpenAI-compatible server (vLLM, llama-server, Ollama, SGLang)',
    )
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option('--upstream-model <name>', 'for an upstream: the model name it serves (default <id>)')
    .option('--api-key-env <VAR>', 'for an upstream: the environment variable holding its API key')
    .option('--max-concurrency <n>', 'jobs of this model at once', positiveInt)
    .option(
      '--context-size <tokens>',
      'context size in tokens (for an upstream: its server context, stated in offers)',
      positiveInt,
    )
    .option('--gpu <backend>', 'GGUF models: auto, cuda, vulkan, metal or cpu')
    .action(async (id: string, source: string, opts: AddOptions) => {
      const home = resolveHome(opts.home)
      const config = await addProvidedModel(home, entryFromArgs(id, source, opts))
      const added = entryOf(config, id)
      out(`added ${id} ${describeSource(home, added)}`)
      if (added.source?.startsWith('hf:') === true) out(`download it now with: cocoon models pull ${id}`)
      out(`try it with: cocoon models test ${id}`)
    })
}

function registerRemove(models: Command): void {
  models
    .command('remove <id>')
    .description('remove a model from provide.models (a downloaded file stays in <home>/models)')
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .action(async (id: string, opts: { home?: string }) => {
      await removeProvidedModel(resolveHome(opts.home), id)
      out(`removed ${id}`)
    })
}

function registerPull(models: Command): void {
  models
    .command('pull <id>')
    .description(
      'download an hf: model into <home>/models with a progress bar (a broken download resumes on the next pull; an existing file is checked against the remote size)',
    )
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .action(async (id: string, opts: { home?: string }) => {
      const home = resolveHome(opts.home)
      const model = entryOf(await loadConfigFile(home), id)
      if (model.upstream !== undefined)
        return void out(`${id} runs on ${model.upstream.baseUrl}: nothing to pull`)
      const source = ggufSource(home, model)
      const stop = new AbortController()
      const onSigint = (): void => stop.abort()
      process.once('SIGINT', onSigint)
      try {
        const path = await pullModel(source, {
          directory: join(home, PROVIDER_MODELS_DIR),
          progress: process.stderr.isTTY === true,
          signal: stop.signal,
        })
        out(`pulled ${id} ${path}`)
      } finally {
        process.off('SIGINT', onSigint)
      }
    })
}

function registerTest(models: Command): void {
  models
    .command('test <id>')
    .description('run one request on a configured model and print time to first token and tokens/s')
    .option('--home <dir>', 'home folder (default $COCOON_HOME or ~/.cocoon)')
    .option('--max-tokens <n>', 'completion tokens to generate (default 64)', positiveInt)
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { home?: string; maxTokens?: number; json?: boolean }) => {
      const home = resolveHome(opts.home)
      const config = await loadConfigFile(home)
      const model = runtimeModelConfig(home, entryOf(config, id), config.provide)
      const runtime = await createRuntime({ home, models: [model], tensor: false })
      try {
        const figures = await measureModel(runtime, model, { maxTokens: opts.maxTokens ?? 64 })
        if (opts.json === true) return void out(JSON.stringify({ model: id, ...figures }))
        out(`model ${id} ${figures.backend}`)
        out(`time-to-first-token ${figures.timeToFirstTokenMs.toFixed(0)} ms`)
        out(`tokens/s ${figures.tokensPerSecond.toFixed(1)}`)
        out(`tokens ${figures.completionTokens}`)
      } finally {
        await runtime.close()
      }
    })
}

export const registerModels: RegisterCommand = (program: Command) => {
  const models = program
    .command('models')
    .description('the models this node sells: list, add, remove, pull (download) and test them')
  registerList(models)
  registerAdd(models)
  registerRemove(models)
  registerPull(models)
  registerTest(models)
}
