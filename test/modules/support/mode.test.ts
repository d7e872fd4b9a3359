// Modes as Ansible reads them: integers are the mode, octal text, and symbolic modes checked against
// GNU chmod itself on real files (for the forms where chmod and Ansible agree).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { resolveMode } from '../../../src/modules/support/mode.js';

const file = { mode: 0o644, directory: false };
const dir = { mode: 0o755, directory: true };

t.test('integers are the mode itself; text is octal', async (t) => {
  t.equal(resolveMode(0o644, file), 0o644, 'YAML 1.1 0644 arrives as 420');
  t.equal(resolveMode(420, file), 0o644);
  t.equal(resolveMode(644, file), 0o1204, 'unquoted 644 is the decimal 644, as in Ansible');
  t.equal(resolveMode('0644', file), 0o644);
  t.equal(resolveMode('644', file), 0o644);
  t.equal(resolveMode('0o750', file), 0o750);
  t.equal(resolveMode('2755', dir), 0o2755);
  t.throws(() => resolveMode(0o10000, file));
  t.throws(() => resolveMode('rw-r--r--', file), /invalid file mode/);
  t.throws(() => resolveMode('u=rwz', file), /invalid file mode/);
  t.throws(() => resolveMode('ua+x', file), /invalid file mode/);
});

t.test('symbolic: X, relative and absolute forms', async (t) => {
  t.equal(resolveMode('u=rwX,g=rX,o=rX', dir), 0o755, 'X on a directory');
  t.equal(resolveMode('u=rwX,g=rX,o=rX', { mode: 0o600, directory: false }), 0o644, 'X on a file without x');
  t.equal(resolveMode('u=rwX,g=rX,o=rX', { mode: 0o700, directory: false }), 0o755, 'X on a file with x');
  t.equal(resolveMode('g+w', { mode: 0o644, directory: false }), 0o664);
  t.equal(resolveMode('go-rwx', { mode: 0o777, directory: false }), 0o700);
  t.equal(resolveMode('+x', { mode: 0o600, directory: false }), 0o711, 'no who: all, masked by umask 022');
  t.equal(resolveMode('u+s,o+t', { mode: 0o755, directory: true }), 0o5755);
  t.equal(resolveMode('g=u', { mode: 0o640, directory: false }), 0o660);
  t.equal(resolveMode('a=', { mode: 0o4777, directory: false }), 0);
});

t.test('symbolic modes agree with GNU chmod on regular files', async (t) => {
  const d = mkdtempSync(join(tmpdir(), 'lbrun-mode-'));
  const p = join(d, 'f');
  writeFileSync(p, '');
  const who = fc.constantFrom('u', 'g', 'o', 'a', 'ug', 'go', 'uo', 'ugo');
  const perms = fc.array(fc.constantFrom('r', 'w', 'x', 'X', 's', 't'), { maxLength: 4 }).map((a) => a.join(''));
  const clause = fc.tuple(who, fc.constantFrom('+', '-', '='), perms).map(([w, op, p]) => `${w}${op}${p}`);
  const relative = fc.tuple(fc.constantFrom('', ''), fc.constantFrom('+', '-'), perms.filter((s) => s !== '')).map(([, op, p]) => `${op}${p}`);
  const mode = fc.array(fc.oneof(clause, relative), { minLength: 1, maxLength: 3 }).map((a) => a.join(','));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0o7777 }), mode, (start, m) => {
      chmodSync(p, start);
      execFileSync('sh', ['-c', `umask 022; chmod -- "$0" "$1"`, m, p]);
      const gnu = statSync(p).mode & 0o7777;
      const ours = resolveMode(m, { mode: start, directory: false });
      if (ours !== gnu) throw new Error(`${m} on ${start.toString(8)}: lbrun ${ours.toString(8)}, chmod ${gnu.toString(8)}`);
    }),
    { numRuns: 40 },
  );
  t.pass('40 random symbolic modes');
});
