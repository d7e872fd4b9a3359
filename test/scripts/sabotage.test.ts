/**
 * The sabotages of scripts/sabotage.js (docs/reliability.md, "Broken on purpose") stay runnable:
 * every patch in test/sabotage/ has a header that parses, names test files that exist, breaks the
 * product (src/, roles/, templates/, playbooks/) and never a test, applies to HEAD (`git apply
 * --check`), and is in the docs' table. Running them is `npm run sabotage -- all` (minutes, the
 * lab); this only checks they can run. No lab, no build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { REPO_ROOT } from '../support/run-cli.js';

const SCRIPT = join(REPO_ROOT, 'scripts', 'sabotage.js');
const DIR = join(REPO_ROOT, 'test', 'sabotage');
const patches = readdirSync(DIR).filter((f) => f.endsWith('.patch')).sort();
const PRODUCT = /^(src|roles|templates|playbooks)\//;

t.test('--list parses every header: figure, what it breaks, and tests that exist or a command', async (t) => {
  const out = execFileSync('node', [SCRIPT, '--list'], { cwd: REPO_ROOT, encoding: 'utf8' });
  const names = [...out.matchAll(/^(\S+)( \(lab\))?$/gm)].map((m) => m[1]);
  t.same(names, patches.map((p) => p.slice(0, -'.patch'.length)), 'one entry per patch file');
  t.ok(patches.length >= 20, `${patches.length} sabotages`);
  for (const m of out.matchAll(/^ {2}test: (.*?)(?: --grep=.*)?$/gm)) {
    for (const f of m[1].split(' ')) t.ok(existsSync(join(REPO_ROOT, f)), `${f} exists`);
  }
  const entries = out.split(/^(?=\S)/m);
  for (const e of entries) t.match(e, /\n {2}figure: .+\n {2}breaks: .+\n {2}(test|command): .+/, `${e.split('\n')[0]}: figure, breaks, test or command`);
});

t.test('a header without a figure is refused, loudly', async (t) => {
  const r = spawnSync('node', ['--input-type=module', '-e', `import { parseSabotage } from ${JSON.stringify(SCRIPT)}; parseSabotage('x', '# breaks: b\\n# test: t.ts\\ndiff --git a/src/x b/src/x\\n');`], { encoding: 'utf8' });
  t.not(r.status, 0);
  t.match(r.stderr, /x\.patch: no '# figure:' line/);
});

t.test('every patch breaks product code only, never a test', async (t) => {
  for (const p of patches) {
    const text = readFileSync(join(DIR, p), 'utf8');
    const files = [...text.matchAll(/^diff --git a\/(\S+) b\//gm)].map((m) => m[1]);
    t.ok(files.length > 0, `${p}: changes a file`);
    for (const f of files) t.match(f, PRODUCT, `${p}: ${f} is product code`);
  }
});

t.test('every patch applies to HEAD (git apply --check)', async (t) => {
  const r = spawnSync('node', [SCRIPT, '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, `${patches.length} of ${patches.length} patches apply`);
});

t.test('failing assertions are counted from raw TAP: leaves only, not the subtests that hold them', async (t) => {
  const tap = [
    'TAP version 14',
    '# Subtest: test/a.test.ts',
    '    # Subtest: group',
    '        ok 1 - fine',
    '        not ok 2 - the old file, byte for byte',
    '        not ok 3 - no temp file # time=3ms',
    '        1..3',
    '    not ok 1 - group # time=10ms',
    '    not ok 2 - at the top',
    '    1..2',
    'not ok 1 - test/a.test.ts # time=20ms',
    '1..1',
  ].join('\n');
  const r = spawnSync('node', ['--input-type=module', '-e', `import { failingAssertions } from ${JSON.stringify(SCRIPT)}; console.log(JSON.stringify(failingAssertions(${JSON.stringify(tap)})));`], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.same(JSON.parse(r.stdout), ['the old file, byte for byte', 'no temp file', 'at the top']);
});

t.test('docs/reliability.md lists every sabotage', async (t) => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'reliability.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Broken on purpose'));
  t.ok(doc.includes('## Broken on purpose'), 'the section exists');
  for (const p of patches) t.ok(section.includes(`\`${p.slice(0, -'.patch'.length)}\``), `${p} is in the table`);
});
