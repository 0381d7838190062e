// Writes scenarios/scenario.schema.json from the built schema (src/scenario/schema.ts): `npm run schema`.
import { writeFile } from 'node:fs/promises'
import { scenarioSchemaJson } from '../dist/scenario/schema.js'

const target = new URL('../scenarios/scenario.schema.json', import.meta.url)
await writeFile(target, scenarioSchemaJson())
console.log(`wrote ${target.pathname}`)
