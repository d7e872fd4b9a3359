// The file facts script on a real shell (the controller through the local connection), for names
// that sha256sum prints escaped (a backslash, a line break) and for every type of path; followed
// facts resolve every path as `readlink -m` does.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LocalConnection } from '../../../src/connection/local.js';
import { fileFactsScript, filePrelude, followedFactsScript, parseFileFacts, parseFollowedFacts } from '../../../src/modules/support/file-facts.js';

const dir = mkdtempSync(join(tmpdir(), 'lbrun-file-facts-'));
const conn = new LocalConnection('local', { become: false });
const facts = async (path: string, withContent = false) => parseFileFacts(path, (await conn.run(fileFactsScript(path, withContent), { become: false })).stdout);
const sum = (s: string) => createHash('sha256').update(s).digest('hex');

t.test('a regular file: its sha256 whatever its name', async (t) => {
  for (const name of ['plain', 'with space', 'back\\slash', 'line\nbreak', 'both\\and\nmore', '-dash']) {
    const path = join(dir, name);
    writeFileSync(path, `content of ${name}\n`);
    const f = await facts(path, true);
    t.equal(f.type, 'file', JSON.stringify(name));
    t.equal(f.sha256, sum(`content of ${name}\n`), `${JSON.stringify(name)}: sha256`);
    t.equal(f.content, `content of ${name}\n`, `${JSON.stringify(name)}: content`);
  }
});

t.test('a directory, a link and an absent path have no sha256', async (t) => {
  mkdirSync(join(dir, 'd'));
  symlinkSync('plain', join(dir, 'l'));
  t.match(await facts(join(dir, 'd')), { type: 'directory', sha256: undefined });
  t.match(await facts(join(dir, 'l')), { type: 'link', sha256: undefined, linkTarget: 'plain' });
  t.same(await facts(join(dir, 'nothing')), { path: join(dir, 'nothing'), type: 'absent' });
});

t.test('followed facts resolve a path as readlink -m does, with or without the shell\'s cd', async (t) => {
  const base = join(dir, 'follow');
  mkdirSync(join(base, 'real', 'sub'), { recursive: true });
  mkdirSync(join(base, '-dash'));
  mkdirSync(join(base, 'closed'), { mode: 0o000 });
  writeFileSync(join(base, 'real', 'file'), 'x\n');
  symlinkSync(join(base, 'real'), join(base, 'to-dir'));
  symlinkSync('real/file', join(base, 'to-file'));
  symlinkSync('nowhere', join(base, 'dangling'));
  const paths = [
    '/', '//', base, `${base}/`, join(base, 'to-dir'), `${join(base, 'to-dir')}/`, `${base}/to-dir/../real/sub`, `${base}/to-dir/..`,
    join(base, 'to-file'), join(base, 'dangling'), join(base, 'missing', 'deeper'), join(base, '-dash'), join(base, 'closed'), 'relative/name', 'sub',
  ];
  for (const path of paths) {
    const want = execFileSync('readlink', ['-m', '--', path], { encoding: 'utf8' }).replace(/\n$/, '');
    // CDPATH set: the shell's cd must not look elsewhere
    const r = await conn.run(followedFactsScript(path), { become: false, env: { CDPATH: join(base, 'real') } });
    t.equal(parseFollowedFacts(r.stdout).path, want, `${path} -> ${want}`);
  }
});

t.test('the shared prelude of file reads: every stat and sha256sum answers as the command itself', async (t) => {
  const base = join(dir, 'prelude');
  mkdirSync(join(base, 'd'), { recursive: true });
  writeFileSync(join(base, 'f'), 'file\n');
  writeFileSync(join(base, 'empty'), '');
  writeFileSync(join(base, 'x%y=1'), 'odd but plain\n');
  writeFileSync(join(base, 'with space'), 'not plain\n');
  symlinkSync('f', join(base, 'l'));
  symlinkSync('nowhere', join(base, 'dangling'));
  // "f" and "d" are both a name and the end of another name: a lookup must take whole names
  writeFileSync(join(base, 'd', 'f'), 'inner\n');
  const names = ['f', 'empty', 'x%y=1', 'with space', 'l', 'dangling', 'd', 'd/f', 'missing', 'd/missing'];
  const paths = names.map((n) => join(base, n));
  const prelude = filePrelude(paths)!;
  t.same(prelude.items, paths.filter((p) => !p.includes(' ')), 'a path with a space is left to the commands themselves');
  const each = (p: string) => `stat -c "%a %U %G %s %u %g %i %h" -- '${p}'; echo "rc=$?"; stat -c %s -- '${p}'; echo "rc=$?"; sha256sum -- '${p}'; echo "rc=$?"`;
  const probe = [...paths, join(base, 'not-listed')].map(each).join('\n');
  const alone = await conn.run(probe, { become: false });
  const shared = await conn.run(`{ ${prelude.script(prelude.items)}\n} </dev/null >/dev/null 2>&1\n${probe}`, { become: false });
  t.equal(shared.stdout, alone.stdout, 'stdout byte for byte');
  t.equal(shared.stderr, alone.stderr, 'stderr byte for byte');
  t.match(alone.stdout, /rc=1/, 'control: some of them fail (missing paths, a directory for sha256sum)');
  // the prelude ran the commands once: with the commands gone from PATH, its answers still come
  const noCommands = await conn.run(`{ ${prelude.script(prelude.items)}\n} </dev/null >/dev/null 2>&1\nPATH=/nonexistent\n${each(join(base, 'f'))}`, { become: false });
  t.equal(noCommands.stdout, (await conn.run(each(join(base, 'f')), { become: false })).stdout, 'answered from the prelude, not by running stat or sha256sum');
  t.equal(filePrelude(['relative', undefined, '/a b']), undefined, 'nothing plain enough: no prelude');
});
