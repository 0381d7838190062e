/**
 * Downloads an `hf:` (or https) GGUF model into a models folder with
 * node-llama-cpp's resolver: its progress bar on the terminal, a partial
 * download kept for the next try to resume, and an existing file checked
 * against the remote file's size.
 */
import { errorMessage } from '@cocoon-mesh/protocol'
import { ModelNotFoundError } from '../errors.js'

export interface PullModelOptions {
  /** Where the file goes (the runtime looks for `hf:` models in `<home>/models`). */
  directory: string
  /** Show node-llama-cpp's progress bar (default true). */
  progress?: boolean
  /** A Hugging Face token for gated repositories (default `$HF_TOKEN`). */
  huggingFaceToken?: string
  signal?: AbortSignal
}

/**
 * Resolves `uri` to a local file, downloading what is missing; returns its path.
 * @throws {ModelNotFoundError} naming the URI and what failed (network, 404, a size mismatch, an abort).
 */
export async function pullModel(uri: string, options: PullModelOptions): Promise<string> {
  const { resolveModelFile } = await import('node-llama-cpp')
  const token = options.huggingFaceToken ?? process.env.HF_TOKEN
  try {
    return await resolveModelFile(uri, {
      directory: options.directory,
      cli: options.progress ?? true,
      verify: true,
      deleteTempFileOnCancel: false,
      ...(token === undefined ? {} : { tokens: { huggingFace: token } }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
  } catch (error) {
    throw new ModelNotFoundError(`Could not download ${uri}`, {
      details: `node-llama-cpp failed to fetch ${uri} into ${options.directory}: ${errorMessage(error)}. Check the repository and quantisation names on huggingface.co, network access (and HF_TOKEN for gated models); run the pull again to resume a broken download, or download the file yourself and configure its path as "source".`,
      cause: error,
    })
  }
}
