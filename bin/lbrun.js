#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (process.argv.length === 3 && process.argv[2] === '--version') {
  // `lbrun --version` alone: answered before any code is loaded
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // The CLI as the build bundled it (scripts/bundle.js: the same code as dist/cli.js, loaded
  // faster, with V8's code cache: src/startup/load-bundle.ts); dist/cli.js when there is no
  // bundle (a build by `tsc` alone).
  const args = process.argv.slice(2);
  const bundle = fileURLToPath(new URL('../dist/bundle/cli.cjs', import.meta.url));
  let cli;
  let loaded;
  if (existsSync(bundle)) {
    const { loadBundle, cacheKind } = await import('../dist/startup/load-bundle.js');
    loaded = loadBundle(bundle, cacheKind(args));
    cli = loaded.exports;
  } else {
    cli = await import('../dist/cli.js');
  }

  // `lbrun ... | head`: a reader that goes away is not an error of the run
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  cli.main(args).then((code) => {
    process.exitCode = code;
    loaded?.saveCache();
  });
}
