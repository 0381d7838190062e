import * as esbuild from 'esbuild'
const entry = process.argv[2]
try {
const r = await esbuild.build({ stdin: { contents: entry, resolveDir: process.cwd()+'/examples/miniapp', loader: 'ts' }, bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, conditions: ['cocoon-source'], logLevel: 'silent', outdir: '/tmp/bout', inject: ['examples/miniapp/src/buffer-global.ts']})
console.log('ok', r.outputFiles.map(f=>[f.path,f.contents.length]))
} catch (e) { console.log(e.errors.slice(0,60).map(e=>e.text + ' @ ' + e.location?.file).join('\n')) }
