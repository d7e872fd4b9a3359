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
import { fileFactsScript, followedFactsScript, parseFileFacts, parseFollowedFacts } from '../../../src/modules/support/file-facts.js';

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
