#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` / `npm run build`); the CLI reports its own errors.
let cli;
try {
  cli = require('../dist/src/cli/main.js');
} catch (e) {
  const unbuilt = e && e.code === 'MODULE_NOT_FOUND' && String(e.message).includes('dist/src/cli/main.js');
  const why = unbuilt ? 'it is not built; run `npm run build` in the package folder' : String(e && e.message).split('\n')[0];
  console.error(`trackbridge: cannot load the command: ${why}`);
  process.exit(1);
}
cli.main(process.argv);
