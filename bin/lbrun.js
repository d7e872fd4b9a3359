#!/usr/bin/env node
// the CLI bundled by the build (scripts/bundle.js); the same code as dist/cli.js
import { main } from '../dist/bundle/cli.js';

// `lbrun ... | head`: a reader that goes away is not an error of the run
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
