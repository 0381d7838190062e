/**
 * The test model `cocoon init --try` sets up: node-llama-cpp loads and runs
 * a generated GGUF (llama architecture, random weights, a byte vocabulary), so
 * a newcomer sells something within a minute, without downloading weights.
 * Its answers are not text; the node says so when it sells it.
 */
import { mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { writeTinyGguf } from '@cocoon-mesh/gpu-runtime'
import { loadConfigFile } from '../home/config.js'
import { addProvidedModel } from '../home/config-edit.js'
import { isErrno } from '../home/errno.js'
import { PROVIDER_MODELS_DIR, providedModelIds } from '../home/provide-models.js'

/** The id the generated test model is sold under. */
export const TEST_MODEL_ID = 'cocoon-test-tiny'

/**
 * Writes the test model to `<home>/models/cocoon-test-tiny.gguf` (unless it
 * is there) and adds it to `provide.models` (unless listed); returns its path.
 * @throws {MalformedConfigError} when the config cannot be read or edited.
 */
export async function setUpTestModel(home: string): Promise<{ path: string; added: boolean }> {
  const file = `${TEST_MODEL_ID}.gguf`
  const path = join(home, PROVIDER_MODELS_DIR, file)
  await mkdir(join(home, PROVIDER_MODELS_DIR), { recursive: true })
  try {
    await stat(path)
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error
    await writeTinyGguf(path)
  }
  const listed = providedModelIds((await loadConfigFile(home)).provide.models).includes(TEST_MODEL_ID)
  if (!listed) await addProvidedModel(home, { id: TEST_MODEL_ID, source: file })
  return { path, added: !listed }
}

/** Sets up the test model and tells the operator what it is and what to do next. */
export async function printTestModel(home: string, out: (line: string) => void): Promise<void> {
  const { path } = await setUpTestModel(home)
  out(`test-model ${TEST_MODEL_ID} ${path}`)
  out('  a TEST model: generated random weights, so its answers are gibberish; it lets you try selling now')
  out('next: cocoon node start --provide')
  out(
    'then sell a real model: cocoon models add <id> <file.gguf | hf:user/repo:quant | http://your-vllm:8000>',
  )
}
