import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { cacheKind } from '../../src/startup/load-bundle.js';

// Each load in a process of its own, as the CLI does: within one process V8 would reuse the
// script it compiled before and never look at the cache.
const LOADER = fileURLToPath(new URL('../../dist/startup/load-bundle.js', import.meta.url));

interface Loaded {
  cache: string;
  answer: number;
  file: string;
}

function loadBundle(file: string, kind: string, env: Record<string, string>, save = true): Loaded {
  const code = `import { loadBundle } from ${JSON.stringify(LOADER)};
const b = loadBundle(${JSON.stringify(file)}, ${JSON.stringify(kind)}, process.env);
console.log(JSON.stringify({ cache: b.cache, answer: b.exports.answer(), file: b.exports.file }));
if (${save}) b.saveCache();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
  if (r.status !== 0) throw new Error(`loader exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Loaded;
}

function demoBundle(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-bundle-'));
  const file = join(dir, 'cli.cjs');
  // enough code that V8 has something to cache, and the CommonJS names a bundle uses
  writeFileSync(
    file,
    [
      "const { join } = require('node:path');",
      ...Array.from({ length: 200 }, (_, i) => `function f${i}(x) { return x * ${i} + ${i}; }`),
      'exports.answer = () => f21(1);',
      "exports.file = join(__dirname, 'cli.cjs') === __filename ? __filename : 'wrong';",
    ].join('\n'),
  );
  return { dir, file };
}

t.test('the cache kind is the subcommand, or run for a playbook', async (t) => {
  t.equal(cacheKind(['playbooks/site.yaml', '-i', 'inventory/lab.yaml']), 'run');
  t.equal(cacheKind(['--check', 'playbooks/site.yaml']), 'run');
  t.equal(cacheKind(['validate', 'playbooks/site.yaml']), 'validate');
  t.equal(cacheKind(['lab', 'up']), 'lab');
  t.equal(cacheKind(['render', 'p.yaml', '--out', 'x']), 'render');
  t.equal(cacheKind([]), 'run');
});

t.test('first load compiles and writes the cache; the next takes it; a bad cache is refused and rewritten', async (t) => {
  const { dir, file } = demoBundle();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cacheFile = join(dir, 'cache', 'run.v8');

  const unsaved = loadBundle(file, 'run', {}, false);
  t.equal(unsaved.cache, 'none');
  t.notOk(existsSync(cacheFile), 'nothing written unless saved when the process ends');
  const first = loadBundle(file, 'run', {});
  t.equal(first.cache, 'none');
  t.equal(first.answer, 42);
  t.equal(first.file, file, '__dirname and __filename are the bundle file');
  t.ok(readFileSync(cacheFile).length > 0, 'cache written');
  t.same(readdirSync(join(dir, 'cache')), ['run.v8'], 'no temporary file left');

  const second = loadBundle(file, 'run', {});
  t.equal(second.cache, 'taken');
  t.equal(second.answer, 42);
  const before = readFileSync(cacheFile);
  loadBundle(file, 'run', {});
  t.same(readFileSync(cacheFile), before, 'a cache that was taken is not rewritten');

  writeFileSync(cacheFile, Buffer.from('not a code cache at all'));
  const third = loadBundle(file, 'run', {});
  t.equal(third.cache, 'rejected');
  t.equal(third.answer, 42, 'a refused cache costs the compile, nothing else');
  t.equal(loadBundle(file, 'run', {}).cache, 'taken', 'the refused cache was replaced');

  writeFileSync(file, `${readFileSync(file, 'utf8')}\nexports.answer = () => 7;\n`);
  const changed = loadBundle(file, 'run', {});
  t.equal(changed.cache, 'rejected', 'a cache of other source is refused');
  t.equal(changed.answer, 7, 'and the new source runs');
});

t.test('each kind has its own cache', async (t) => {
  const { dir, file } = demoBundle();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  loadBundle(file, 'validate', {});
  t.equal(loadBundle(file, 'run', {}, false).cache, 'none');
  t.equal(loadBundle(file, 'validate', {}).cache, 'taken');
});

t.test('LBRUN_CODE_CACHE=0 reads and writes no cache', async (t) => {
  const { dir, file } = demoBundle();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(loadBundle(file, 'run', {}).cache, 'none');
  const off = loadBundle(file, 'run', { LBRUN_CODE_CACHE: '0' });
  t.equal(off.cache, 'off', 'an existing cache is not read');
  t.equal(off.answer, 42);
  rmSync(join(dir, 'cache'), { recursive: true });
  loadBundle(file, 'run', { LBRUN_CODE_CACHE: '0' });
  t.notOk(existsSync(join(dir, 'cache')), 'nor written');
});

t.test('a cache that cannot be written: no error, nothing left', async (t) => {
  const { dir, file } = demoBundle();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // a file where the cache directory would be (as root, no mode stops a write)
  writeFileSync(join(dir, 'cache'), 'in the way');
  t.equal(loadBundle(file, 'run', {}).answer, 42, 'the run goes on');
  t.equal(readFileSync(join(dir, 'cache'), 'utf8'), 'in the way');
  t.same(readdirSync(dir).sort(), ['cache', 'cli.cjs'], 'no temporary file left');
});

t.test('the built bundle is ASCII, so read as latin1 its text is the source text', async (t) => {
  const bundle = fileURLToPath(new URL('../../dist/bundle/cli.cjs', import.meta.url));
  const bytes = readFileSync(bundle);
  t.equal(bytes.findIndex((b) => b > 0x7f), -1, 'no byte outside ASCII');
  // a message whose source holds a character outside ASCII ("…"), through the real CLI
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-bundle-text-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'list.mustache'), '{{servers}}\n');
  writeFileSync(join(dir, 'hosts.yaml'), 'all:\n  hosts:\n    h: { lbrun_connection: local }\n  vars:\n    servers: [a, b]\n');
  writeFileSync(join(dir, 'play.yaml'), '- hosts: all\n  tasks:\n    - template: { src: list.mustache, dest: /tmp/x }\n');
  const bin = fileURLToPath(new URL('../../bin/lbrun.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, 'validate', join(dir, 'play.yaml'), '-i', join(dir, 'hosts.yaml')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  t.equal(r.status, 3, r.stderr);
  t.match(r.stderr, "'servers' is a list: use a section {{#servers}}…{{/servers}} to render it");
});
