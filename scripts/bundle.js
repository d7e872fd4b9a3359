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

/** A dist module's text with import.meta.url naming its file, as seen from the bundle. */
function withFileUrl(text, path) {
  const rel = relative(outdir, path).split('\\').join('/');
  return text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, require('node:url').pathToFileURL(__filename)).href`);
}

const plugin = {
  name: 'lbrun-bundle',
  setup(b) {
    // the precompiled validators (scripts/compile-schemas.js, written before this step): inside the
    // bundle, so that their compiled code is in the code cache too
    b.onLoad({ filter: /\/dist\/load\/precompiled\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const dynamic = 'createRequire(import.meta.url)(fileURLToPath(PRECOMPILED_FILE))';
      if (!text.includes(dynamic)) throw new Error(`${args.path}: the precompiled validators are no longer loaded by ${dynamic}`);
      const inline = text.replace(dynamic, `require(${JSON.stringify(join(dirname(args.path), 'precompiled-schemas.cjs'))})`);
      return { contents: withFileUrl(inline, args.path), loader: 'js' };
    });
    // import.meta.url of a dist module, as seen from the bundle
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return { contents: withFileUrl(text, args.path), loader: 'js' };
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
  external: ['cpu-features', 'ssh2/package.json'],
  // a third less to read and scan at each start; names stay as they are
  minifyWhitespace: true,
  // every character outside ASCII escaped: the loader reads the file as latin1 (src/startup/load-bundle.ts)
  charset: 'ascii',
  plugins: [plugin],
  logLevel: 'warning',
});
const bundled = await readFile(join(outdir, 'cli.cjs'));
const wide = bundled.findIndex((b) => b > 0x7f);
if (wide >= 0) throw new Error(`dist/bundle/cli.cjs has a byte outside ASCII at offset ${wide}: the loader reads it as latin1`);
// bin/lbrun.js (CommonJS) loads the bundle through this
await build({
  entryPoints: [join(dist, 'startup', 'load-bundle.js')],
  outfile: join(outdir, 'load-bundle.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
console.log(`bundled the CLI into ${relative(root, join(outdir, 'cli.cjs'))}`);
