/**
 * The documentation holds together: every relative link in README.md and docs/*.md points at a
 * file that exists, and every #anchor at a heading of that file (GitHub's anchors); every docs page
 * is reachable from the README; and no tracked file refers to a project document that is not in
 * the repository (a docs/<page>.md, or an upper-case <NAME>.md such as the old design notes).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { brokenLinks, githubSlug, headingAnchors, markdownLinks } from '../support/markdown.js';
import { REPO_ROOT } from '../support/run-cli.js';

const docsDir = join(REPO_ROOT, 'docs');
const pages = readdirSync(docsDir)
  .filter((f) => f.endsWith('.md'))
  .sort();
const markdownFiles = [join(REPO_ROOT, 'README.md'), ...pages.map((p) => join(docsDir, p))];

t.test('anchors follow GitHub: lower case, punctuation dropped, each space a hyphen, repeats numbered', async (t) => {
  t.equal(githubSlug('Events (`--json`, `onEvent`)'), 'events---json-onevent');
  t.equal(githubSlug('Inventory (`inventory/*.yaml`)'), 'inventory-inventoryyaml');
  t.equal(githubSlug('The `proxmox_lxc` module'), 'the-proxmox_lxc-module');
  t.equal(githubSlug('Run of 2026-11-24 05:37 UTC'), 'run-of-2026-11-24-0537-utc');
  t.equal(githubSlug('The lab: three real hosts (`lbrun lab`)'), 'the-lab-three-real-hosts-lbrun-lab');
  t.equal(githubSlug('See [the lab](lab.md) — déjà vu'), 'see-the-lab--déjà-vu');
  t.same(headingAnchors('# Tests\n## Tests\n```\n# not a heading\n```\n### Tests ##\n## Tests-1\n'), [
    'tests',
    'tests-1',
    'tests-2',
    'tests-1-1',
  ]);
});

t.test('links are found in prose, not in code', async (t) => {
  const md = [
    'See [a](a.md), ![img](img.png "title") and [b][ref].',
    '`[not](code.md)` and [c](<c d.md>)',
    '```',
    '[nor](fenced.md)',
    '```',
    '[ref]: ref.md',
  ].join('\n');
  t.same(
    markdownLinks(md).map((l) => `${l.line}:${l.target}`),
    ['1:a.md', '1:img.png', '2:c d.md', '6:ref.md'],
  );
});

t.test('the checker reports a missing file and a missing heading (so a clean result means something)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lbrun-links-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'guide'));
  writeFileSync(join(dir, 'guide', 'page.md'), '# Page\n\n## Some `code` here\n');
  writeFileSync(
    join(dir, 'README.md'),
    [
      '# Top',
      '[ok](guide/page.md#some-code-here) [ok too](#top) [web](https://example.com/x.md)',
      '[gone](guide/gone.md)',
      '[bad anchor](guide/page.md#nothing)',
      '[self](#nowhere)',
    ].join('\n'),
  );
  t.same(brokenLinks(join(dir, 'README.md'), dir), [
    'README.md:3: guide/gone.md -> no file guide/gone.md',
    'README.md:4: guide/page.md#nothing -> no heading #nothing in guide/page.md',
    'README.md:5: #nowhere -> no heading #nowhere in README.md',
  ]);
});

t.test('every relative link in README.md and docs/*.md points at a file and heading that exist', async (t) => {
  t.ok(pages.length >= 10, `docs/ has its pages (${pages.join(', ')})`);
  const problems = markdownFiles.flatMap((f) => brokenLinks(f, REPO_ROOT));
  t.same(problems, [], problems.join('\n'));
});

t.test('README.md stays a five-minute read (under 30 KB) and links every docs page', async (t) => {
  const size = readFileSync(join(REPO_ROOT, 'README.md')).length;
  t.ok(size < 30 * 1024, `README.md is ${size} bytes`);
  const linked = new Set(markdownLinks(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]));
  t.same(
    pages.filter((p) => !linked.has(`docs/${p}`)),
    [],
  );
});

t.test('no tracked file refers to a project document that does not exist', async (t) => {
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && f !== 'package-lock.json' && existsSync(join(REPO_ROOT, f)));
  // docs/<page>.md from the repository root, and upper-case <NAME>.md at the root (README.md)
  const reference = /(?<![\w./-])(docs\/[\w.-]+\.md|[A-Z][A-Z0-9_-]*\.md)\b/g;
  const problems: string[] = [];
  for (const file of tracked) {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    if (text.includes('\0')) continue;
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(reference)) {
        if (!existsSync(join(REPO_ROOT, m[1]))) problems.push(`${file}:${i + 1}: ${m[1]}`);
      }
    });
  }
  t.same(problems, [], problems.join('\n'));
  // the design notes this project grew from are not part of it: nothing may point at them
  const notes = ['DESIGN', 'LAB'].map((n) => `${n}.md`);
  t.same(
    tracked.filter((f) => notes.some((n) => readFileSync(join(REPO_ROOT, f), 'utf8').includes(n))),
    [],
  );
});

t.test('docs/benchmark.md has the one results block npm run bench replaces', async (t) => {
  const page = readFileSync(join(docsDir, 'benchmark.md'), 'utf8');
  const bench = readFileSync(join(REPO_ROOT, 'bench', 'run.js'), 'utf8');
  for (const marker of ['<!-- bench:results -->', '<!-- /bench:results -->']) {
    t.equal(page.split(marker).length - 1, 1, `docs/benchmark.md holds ${marker} once`);
    t.ok(bench.includes(marker.replace('/', '\\/')) || bench.includes(marker), `bench/run.js looks for ${marker}`);
  }
  t.match(bench, /join\(ROOT, 'docs', 'benchmark\.md'\)/, 'bench/run.js writes docs/benchmark.md');
  // the results sit under the page's `## Results`: the run's heading is one level below it
  t.match(page, /^## Results$/m);
  t.match(page, /^<!-- bench:results -->\n### Run of /m, 'the results block starts with a ### heading');
  t.match(bench, /`### Run of /, 'bench/run.js writes a ### heading');
});
