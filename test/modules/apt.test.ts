// Real installs need a package source; this machine must not reach the internet. Installing and
// removing run in the lab (its local apt repository); here: the one-query decision, check mode, plans.
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { aptPlan, parseAptFacts } from '../../src/modules/apt.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.14');
const conn = createConnection('h1', sshd.settings());
t.teardown(async () => {
  await conn.close();
  await sshd.stop();
});
const dpkgList = () => execFileSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n']).toString();

t.test('installed packages are ok in one round trip', async (t) => {
  const before = conn.stats.commands;
  const out = await runModule('apt', moduleContext(conn), { name: ['openssh-server', 'sudo'], state: 'present' });
  t.equal(out.changed, false);
  t.equal(conn.stats.commands - before, 1);
  t.equal((await runModule('apt', moduleContext(conn), { name: 'lbrun-no-such-pkg', state: 'absent' })).changed, false);
});

t.test('check mode: would install the missing ones, records them, installs nothing', async (t) => {
  const ctx = moduleContext(conn, { check: true });
  const list = dpkgList();
  const out = await runModule('apt', ctx, { name: ['sudo', 'lbrun-fake-haproxy', 'lbrun-fake-keepalived'] });
  t.equal(out.changed, true);
  t.equal(out.plan.msg, 'would install lbrun-fake-haproxy, lbrun-fake-keepalived');
  t.same(out.plan.diff, [{ path: 'installed packages', before: 'sudo\n', after: 'sudo\nlbrun-fake-haproxy\nlbrun-fake-keepalived\n' }]);
  t.same([...ctx.state.pendingPackages], ['lbrun-fake-haproxy', 'lbrun-fake-keepalived']);
  t.equal(dpkgList(), list, 'dpkg database unchanged');
  const rm = await runModule('apt', ctx, { name: 'sudo', state: 'absent' });
  t.equal(rm.plan.msg, 'would remove sudo');
});

t.test('cache_valid_time decides whether the cache is refreshed', async (t) => {
  const facts = parseAptFacts('sudo ii \n--age-- 500\n');
  t.same([...facts.installed], ['sudo']);
  t.same(aptPlan({ update_cache: true, cache_valid_time: 3600 }, facts), { updateCache: false, install: [], upgrade: [], remove: [] });
  t.equal(aptPlan({ update_cache: true, cache_valid_time: 60 }, facts).updateCache, true);
  const latest = parseAptFacts('a ii \n--policy--\na:\n  Installed: 1.0\n  Candidate: 1.1\nb:\n  Installed: 2\n  Candidate: 2\n--age-- 1\n');
  t.same(aptPlan({ name: ['a', 'b'], state: 'latest' }, latest).upgrade, ['a']);
});
