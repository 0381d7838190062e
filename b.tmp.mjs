import * as esbuild from 'esbuild'
const entry = process.argv[2]
const r = await esbuild.build({ stdin: { contents: entry, resolveDir: process.cwd()+'/examples/miniapp', loader: 'ts' }, bundle: true, platform: 'browser', format: 'esm', minify: true, write: false, metafile: true, conditions: ['cocoon-source'], logLevel: 'silent', outdir: '/tmp/bout', inject: ['examples/miniapp/src/buffer-global.ts'],
 plugins: [{ name: 'ext', setup(b) { b.onResolve({ filter: /^(node:|events$)/ }, a => ({ path: a.path, external: true })) } }]})
const m = r.metafile
const importers = (target) => Object.entries(m.inputs).filter(([f, i]) => i.imports.some(x => x.path === target || x.path.endsWith(target))).map(([f]) => f)
for (const t of process.argv.slice(3)) console.log(t, '<-', importers(t))
