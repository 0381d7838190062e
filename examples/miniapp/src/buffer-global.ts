// Injected by esbuild (`inject` in scripts/bundle.ts): @ton/core and @ton/ton use Node's
// global `Buffer` without importing it; esbuild rewrites each such use to this import of
// the `buffer` package, so no global is patched and code that never uses it bundles none.
export { Buffer } from 'buffer'
