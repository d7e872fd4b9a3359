// The accounts prelude on a real shell (the controller through the local connection): every
// `getent passwd|group NAME` the reads make answers as getent itself does, found or not.
import t from 'tap';
import { LocalConnection } from '../../../src/connection/local.js';
import { accountsPrelude, accountsScript, parseAccounts, preludesOf } from '../../../src/modules/support/fact-sections.js';

const conn = new LocalConnection('local', { become: false });

t.test('the accounts prelude: each getent answers as getent itself, found or not', async (t) => {
  const cases: Array<[string, string]> = [
    ['root', 'root'],
    ['nobody', 'nogroup'],
    ['lbrun-no-such-user', 'lbrun-no-such-group'],
    ['roo', 'roo'], // the start of a name that is there
    ['bin', 'daemon'],
  ];
  const preludes = cases.map(([o, g]) => accountsPrelude(o, g)!);
  const items = [...new Set(preludes.flatMap((p) => p.items))];
  t.same(items.slice(0, 2), ['passwd:root', 'group:root']);
  const probe = [...cases, ['lbrun-not-listed', 'sys']]
    .flatMap(([o, g]) => [`getent passwd '${o}'; echo "rc=$?"`, `getent group '${g}'; echo "rc=$?"`, accountsScript(o, g)])
    .join('\n');
  const alone = await conn.run(probe, { become: false });
  const shared = await conn.run(`{ ${preludes[0].script(items)}\n} </dev/null >/dev/null 2>&1\n${probe}`, { become: false });
  t.equal(shared.stdout, alone.stdout, 'stdout byte for byte');
  t.equal(shared.stderr, alone.stderr, 'stderr byte for byte');
  t.match(alone.stdout, /^root:x:0:0:/m, 'control: root is found');
  t.match(alone.stdout, /rc=2/, 'control: a missing name is not');
  t.same(parseAccounts((await conn.run(`{ ${preludes[0].script(items)}\n} </dev/null >/dev/null 2>&1\n${accountsScript('lbrun-no-such-user', 'root')}`, { become: false })).stdout), { owner: true, group: false });
  const noCommand = await conn.run(`{ ${preludes[0].script(items)}\n} </dev/null >/dev/null 2>&1\nPATH=/nonexistent\ngetent passwd root`, { become: false });
  t.match(noCommand.stdout, /^root:x:0:0:/, 'answered from the prelude, not by running getent');
});

t.test('which names take part', async (t) => {
  t.equal(accountsPrelude(undefined, undefined), undefined);
  t.equal(accountsPrelude('0', '100'), undefined, 'ids are not looked up at all');
  t.equal(accountsPrelude('a b', 'x$y'), undefined, 'names of other characters are left to getent');
  t.same(accountsPrelude('app', undefined)?.items, ['passwd:app']);
  t.same(accountsPrelude('app', 'app')?.script(['group:app']).includes('getent passwd'), false, 'no passwd names: passwd is not listed whole');
  t.equal(preludesOf(undefined, undefined), undefined);
  t.equal(preludesOf(accountsPrelude('a', undefined), undefined)?.length, 1);
});
