#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` / `npm run build`).
require('../dist/src/cli/main.js').main(process.argv).catch((e) => {
  console.error(`trackbridge: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
