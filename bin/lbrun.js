#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS entry ~25 ms sooner than an ES module one,
// and the bundle needs nothing else (docs/dependencies.md).
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  // `lbrun --version` alone: answered before any code is loaded
  process.stdout.write(`${JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
} else {
  // The CLI as the build bundled it (scripts/bundle.js: the same code as dist/cli.js, loaded
  // faster, with V8's code cache: src/startup/load-bundle.ts); dist/cli.js when there is no
  // bundle (a build by `tsc` alone).
  const bundle = join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
  let loaded;
  const cli = existsSync(bundle)
    ? Promise.resolve().then(() => {
        const { loadBundle, cacheKind } = require('../dist/bundle/load-bundle.cjs');
        loaded = loadBundle(bundle, cacheKind(args));
        return loaded.exports;
      })
    : import('../dist/cli.js');

  // `lbrun ... | head`: a reader that goes away is not an error of the run
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  cli
    .then((m) => m.main(args))
    .then((code) => {
      process.exitCode = code;
      if (loaded) loaded.saveCache();
    });
}
