/**
 * Edits `provide.models` in `<home>/config.jsonc` in place, keeping the
 * operator's comments and layout (jsonc-parser's `modify`), and checks the
 * result parses before writing it.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { applyEdits, type FormattingOptions, modify } from 'jsonc-parser'
import { CONFIG_FILE, type NodeConfig, parseConfig, writeDefaultConfig } from './config.js'
import { MalformedConfigError } from './errors.js'
import { providedModelIds } from './provide-models.js'

const FORMAT: FormattingOptions = { insertSpaces: true, tabSize: 2, eol: '\n' }

async function edit(
  home: string,
  change: (text: string, config: NodeConfig, path: string) => string,
): Promise<NodeConfig> {
  await writeDefaultConfig(home)
  const path = join(home, CONFIG_FILE)
  const text = await readFile(path, 'utf8')
  const next = change(text, parseConfig(text, path), path)
  // the edited text must parse like any config before it replaces the file
  const parsed = parseConfig(next, path)
  await writeFile(path, next)
  return parsed
}

/**
 * Appends `entry` to `provide.models` (the config is created when missing);
 * it is validated as part of the edited config, so an error names its field.
 * @throws {MalformedConfigError} when the id is taken or the entry is invalid.
 */
export function addProvidedModel(
  home: string,
  entry: { readonly id: string; readonly [field: string]: unknown },
): Promise<NodeConfig> {
  return edit(home, (text, config, path) => {
    const { id } = entry
    if (providedModelIds(config.provide.models).includes(id))
      throw new MalformedConfigError(`provide.models already has a model "${id}"`, {
        details: `Choose another id, or \`cocoon models remove ${id}\` first (${path}).`,
      })
    const at = ['provide', 'models', config.provide.models.length]
    return applyEdits(text, modify(text, at, entry, { formattingOptions: FORMAT, isArrayInsertion: true }))
  })
}

/**
 * Removes the entry with `id` from `provide.models`.
 * @throws {MalformedConfigError} when there is none.
 */
export function removeProvidedModel(home: string, id: string): Promise<NodeConfig> {
  return edit(home, (text, config, path) => {
    const index = providedModelIds(config.provide.models).indexOf(id)
    if (index === -1)
      throw new MalformedConfigError(`provide.models has no model "${id}"`, {
        details: `${path} sells: ${providedModelIds(config.provide.models).join(', ') || 'nothing'}. \`cocoon models list\` shows them.`,
      })
    return applyEdits(
      text,
      modify(text, ['provide', 'models', index], undefined, { formattingOptions: FORMAT }),
    )
  })
}
