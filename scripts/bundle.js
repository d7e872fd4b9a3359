#!/usr/bin/env node
/**
 * `npm run build`, last step: the CLI as a few files (dist/bundle/: cli.js and the chunks its lazy
 * imports load), so that a run does not resolve, read and link ~150 modules one by one
 * (docs/dependencies.md: measured -25 % CPU for `lbrun validate`). bin/lbrun.js runs it; the library
 * (dist/index.js) stays as tsc wrote it. Each module's import.meta.url still names its file in
 * dist/, so paths relative to it (package.json, schemas/, the precompiled validators) hold.
 * ssh2 stays outside (it loads a native addon when there is one).
 */
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const outdir = join(dist, 'bundle');

/** import.meta.url of a dist module, as seen from a chunk in outdir. */
const metaUrl = {
  name: 'import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\/dist\/.*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(outdir, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(dist, 'cli.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['ssh2', './precompiled-schemas.cjs'],
  // bundled CommonJS packages (yaml, commander) require Node's own modules
  banner: { js: "import { createRequire as __lbrunRequire } from 'node:module'; const require = __lbrunRequire(import.meta.url);" },
  plugins: [metaUrl],
  logLevel: 'warning',
});
console.log(`bundled the CLI into ${relative(root, outdir)}/`);
