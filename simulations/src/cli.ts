#!/usr/bin/env node
/**
 * Entry of `cocoon-sim`: checks the Node version before anything loads libp2p
 * (which needs Node 22 or newer and fails on older ones with an obscure error),
 * then runs the commands.
 */
const MIN_NODE_MAJOR = 22
const major = Number(process.versions.node.split('.')[0])
if (major < MIN_NODE_MAJOR) {
  process.stderr.write(
    `cocoon-sim needs Node ${MIN_NODE_MAJOR} or newer; this is Node ${process.versions.node}.\n` +
      "Run it through the project's pinned runtime: `npx cocoon-sim …` from the repository, or `node_modules/.bin/node simulations/dist/cli.js …`.\n",
  )
  process.exit(1)
}
await import('./main.js')
