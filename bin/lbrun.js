#!/usr/bin/env node
import { readFileSync } from 'node:fs';

if (process.argv.length === 3 && process.argv[2] === '--version') {
  // `lbrun --version` alone: answered before any code is loaded
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
} else {
  // The CLI as the build bundled it (scripts/bundle.js: the same code as dist/cli.js, loaded
  // faster); dist/cli.js when there is no bundle (a build by `tsc` alone).
  let cli;
  try {
    cli = await import('../dist/bundle/cli.js');
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !String(err.message).includes('dist/bundle/cli.js')) throw err;
    cli = await import('../dist/cli.js');
  }

  // `lbrun ... | head`: a reader that goes away is not an error of the run
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  cli.main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
