// The file facts script on a real shell (the controller through the local connection), for names
// that sha256sum prints escaped (a backslash, a line break) and for every type of path.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LocalConnection } from '../../../src/connection/local.js';
import { fileFactsScript, parseFileFacts } from '../../../src/modules/support/file-facts.js';

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
