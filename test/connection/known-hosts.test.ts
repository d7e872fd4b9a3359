import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { hostEntryName, lookupKnownKeys, recordKnownKey } from '../../src/connection/known-hosts.js';

const KEY_A = Buffer.from('0000000b7373682d65643235353139' + 'aa'.repeat(32), 'hex').toString('base64');
const KEY_B = Buffer.from('0000000b7373682d65643235353139' + 'bb'.repeat(32), 'hex').toString('base64');

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

t.test('plain, port, wildcard, negated, hashed, revoked and cert-authority lines', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'known_hosts');
  writeFileSync(
    file,
    [
      '# comment',
      `10.0.0.1 ssh-ed25519 ${KEY_A}`,
      `[10.0.0.2]:2222 ssh-ed25519 ${KEY_A}`,
      `10.0.1.*,!10.0.1.9 ssh-ed25519 ${KEY_B}`,
      `${hashed('[10.0.0.3]:2200')} ssh-ed25519 ${KEY_B}`,
      `@revoked 10.0.0.4 ssh-ed25519 ${KEY_A}`,
      `@cert-authority 10.0.0.5 ssh-ed25519 ${KEY_A}`,
      'malformed-line-without-key',
    ].join('\n'),
  );
  t.same(lookupKnownKeys([file], '10.0.0.1', 22), [{ file, line: 2, type: 'ssh-ed25519', key: KEY_A, revoked: false }]);
  t.equal(lookupKnownKeys([file], '10.0.0.2', 22).length, 0, 'a [host]:port entry is for that port only');
  t.equal(lookupKnownKeys([file], '10.0.0.2', 2222)[0]?.line, 3);
  t.equal(lookupKnownKeys([file], '10.0.1.7', 22)[0]?.key, KEY_B);
  t.equal(lookupKnownKeys([file], '10.0.1.9', 22).length, 0, '!pattern vetoes the line');
  t.equal(lookupKnownKeys([file], '10.0.0.3', 2200)[0]?.line, 5, 'hashed entry');
  t.equal(lookupKnownKeys([file], '10.0.0.3', 22).length, 0);
  t.match(lookupKnownKeys([file], '10.0.0.4', 22), [{ revoked: true }]);
  t.equal(lookupKnownKeys([file], '10.0.0.5', 22).length, 0, 'cert-authority lines are not host keys');
  t.same(lookupKnownKeys([join(dir, 'missing'), file], '10.0.0.1', 22).length, 1, 'a missing file is skipped');
});

t.test('a file changed within the same process is read anew, even at the same size', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'known_hosts');
  writeFileSync(file, `10.0.0.1 ssh-ed25519 ${KEY_A}\n`);
  t.equal(lookupKnownKeys([file], '10.0.0.1', 22)[0]?.key, KEY_A);
  writeFileSync(file, `10.0.0.1 ssh-ed25519 ${KEY_B}\n`); // same length, written at once
  t.equal(lookupKnownKeys([file], '10.0.0.1', 22)[0]?.key, KEY_B);
  recordKnownKey(file, '10.0.0.6', 2200, Buffer.from(KEY_A, 'base64'));
  t.match(lookupKnownKeys([file], '10.0.0.6', 2200), [{ line: 2, key: KEY_A }]);
  t.equal(hostEntryName('10.0.0.6', 2200), '[10.0.0.6]:2200');
});
