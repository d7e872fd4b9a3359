#!/usr/bin/env node
/**
 * `npm run build`, last step: the CLI and everything it loads (ssh2 included) as one CommonJS file,
 * dist/bundle/cli.cjs, so that a run does not resolve, read and link ~200 modules one by one, and
 * so that V8 can keep its compiled code in a cache between runs (src/startup/load-bundle.ts; a code
 * cache needs a script, which an ES module is not in Node 20). docs/dependencies.md has the
 * figures. bin/lbrun.js runs it; the library (dist/index.js) stays as tsc wrote it. Each module's
 * import.meta.url still names its file in dist/, so paths relative to it (package.json, schemas/,
 * the precompiled validators) hold. ssh2's optional native parts are loaded from ssh2's own folder.
 */
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const outdir = join(dist, 'bundle');

const plugin = {
  name: 'lbrun-bundle',
  setup(b) {
    // import.meta.url of a dist module, as seen from the bundle
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(outdir, args.path).split('\\').join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, require('node:url').pathToFileURL(__filename)).href`),
        loader: 'js',
      };
    });
    // ssh2's compiled crypto (when npm built it): required from where ssh2 is installed
    b.onResolve({ filter: /sshcrypto\.node$/ }, () => ({ path: 'sshcrypto', namespace: 'ssh2-native' }));
    b.onLoad({ filter: /.*/, namespace: 'ssh2-native' }, () => ({
      contents:
        "const { dirname, join } = require('node:path');\n" +
        "module.exports = require(join(dirname(require.resolve('ssh2/package.json')), 'lib/protocol/crypto/build/Release/sshcrypto.node'));",
      loader: 'js',
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(dist, 'cli.js')],
  outfile: join(outdir, 'cli.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['cpu-features', 'ssh2/package.json', './precompiled-schemas.cjs'],
  plugins: [plugin],
  logLevel: 'warning',
});
console.log(`bundled the CLI into ${relative(root, join(outdir, 'cli.cjs'))}`);
