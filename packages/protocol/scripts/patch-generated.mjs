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
source = packRepeatedScalars(source)
writeFileSync(file, source)

/**
 * proto3 writes repeated scalar numbers packed (one length-delimited field)
 * and requires a parser to accept both the packed and the unpacked form;
 * protons 9 writes and reads only the unpacked one. This rewrites each
 * repeated scalar field's encoder to write it packed, and its decoders (the
 * plain and the streaming one) to read either form.
 */
function packRepeatedScalars(text) {
  const scalar =
    '(?:writeUint64\\(w, value\\)|w\\.(?:u?int32|u?int64|sint32|sint64|fixed32|fixed64|sfixed32|sfixed64|bool|double|float)\\(value\\))'
  const encoder = new RegExp(
    `( +)for \\(const value of obj\\.(\\w+)\\) \\{\\n +w\\.uint32\\((\\d+)\\)\\n +(${scalar})\\n +\\}`,
    'g',
  )
  const fields = []
  let out = text.replace(encoder, (_, indent, name, tag, write) => {
    const field = Number(tag) >>> 3
    fields.push({ name, field })
    return [
      `${indent}w.uint32(${(field << 3) | 2}) // packed: field ${field}, wire type 2`,
      `${indent}w.fork()`,
      `${indent}for (const value of obj.${name}) {`,
      `${indent}  ${write}`,
      `${indent}}`,
      `${indent}w.ldelim()`,
    ].join('\n')
  })
  for (const { name, field } of fields) {
    // each decoder's case for the field: its body runs once per element, of either encoding
    const decoderCase = new RegExp(
      `( +)case ${field}: \\{\\n((?:(?!\\n +case \\d+: \\{)[\\s\\S])*?(?:obj\\.${name}\\.push\\(reader|field: \\\`\\$\\{prefix\\}\\.${name}\\[\\]\\\`)[\\s\\S]*?)\\n +break\\n\\1\\}`,
      'g',
    )
    let patched = 0
    out = out.replace(decoderCase, (_, indent, body) => {
      patched++
      return [
        `${indent}case ${field}: {`,
        `${indent}  // packed (wire type 2) or one element per field`,
        `${indent}  const packedEnd = (tag & 7) === 2 ? reader.uint32() + reader.pos : undefined`,
        `${indent}  if (packedEnd !== undefined && packedEnd > end) {`,
        `${indent}    throw new RangeError('packed field "${name}" runs past the end of its message')`,
        `${indent}  }`,
        `${indent}  for (let once = true; packedEnd === undefined ? once : reader.pos < packedEnd; once = false) {`,
        body.replace(/^(?=.)/gm, '  '),
        `${indent}  }`,
        `${indent}  break`,
        `${indent}}`,
      ].join('\n')
    })
    if (patched !== 2)
      throw new Error(`patch-generated: expected 2 decoders of repeated ${name}, patched ${patched}`)
  }
  return out
}
