// Runs after `protons` (npm run generate): routes the generated uint64 writes
// through src/uint64.ts's writeUint64, which works around protons-runtime
// writing values in [2^31, 2^32) as zero. A unit test fails if a regenerated
// file is left unpatched.
import { readFileSync, writeFileSync } from 'node:fs'

const file = process.argv[2]
if (file === undefined) throw new Error('usage: node scripts/patch-generated.mjs <generated file>')
let source = readFileSync(file, 'utf8')
source = source.replaceAll('w.uint64(', 'writeUint64(w, ')
const helper = "import { writeUint64 } from '../uint64.js'\n"
if (!source.includes(helper)) source = source.replace(/^(import .*\n)/, `$1${helper}`)
writeFileSync(file, source)
