import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { CONFIG_FILE, DEFAULT_CONFIG_TEXT } from '../../src/home/config.js'
import { addProvidedModel, removeProvidedModel } from '../../src/home/config-edit.js'
import { MalformedConfigError } from '../../src/home/errors.js'

const homes: string[] = []
afterEach(async () => {
  await Promise.all(homes.splice(0).map((h) => rm(h, { recursive: true, force: true })))
})

async function home(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cocoon-config-edit-'))
  homes.push(dir)
  return dir
}

describe('editing provide.models in config.jsonc', () => {
  it('adds and removes entries in place, keeping every comment', async () => {
    const dir = await home()
    let config = await addProvidedModel(dir, { id: 'a', source: '/m/a.gguf' })
    config = await addProvidedModel(dir, { id: 'b', upstream: { baseUrl: 'http://127.0.0.1:8000' } })
    expect(config.provide.models).toEqual([
      { id: 'a', source: '/m/a.gguf' },
      { id: 'b', upstream: { baseUrl: 'http://127.0.0.1:8000' } },
    ])
    config = await removeProvidedModel(dir, 'a')
    expect(config.provide.models).toEqual([{ id: 'b', upstream: { baseUrl: 'http://127.0.0.1:8000' } }])
    const text = await readFile(join(dir, CONFIG_FILE), 'utf8')
    const comments = (t: string) => t.split('\n').filter((l) => l.trim().startsWith('//'))
    expect(comments(text)).toEqual(comments(DEFAULT_CONFIG_TEXT))
  })

  it('refuses a taken id, an unknown one and an invalid entry, leaving the file as it was', async () => {
    const dir = await home()
    await addProvidedModel(dir, { id: 'a' })
    const before = await readFile(join(dir, CONFIG_FILE), 'utf8')
    await expect(addProvidedModel(dir, { id: 'a' })).rejects.toThrow(/already has a model "a"/)
    await expect(removeProvidedModel(dir, 'zz')).rejects.toThrow(/has no model "zz".*sells: a/s)
    await expect(addProvidedModel(dir, { id: 'c', gpu: 'tpu' })).rejects.toBeInstanceOf(MalformedConfigError)
    await expect(addProvidedModel(dir, { id: 'c', gpu: 'tpu' })).rejects.toThrow(/provide\.models\[1\]\.gpu/)
    expect(await readFile(join(dir, CONFIG_FILE), 'utf8')).toBe(before)
  })
})
