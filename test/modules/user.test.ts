import { execFileSync } from 'node:child_process';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { moduleContext, runModule } from '../support/module-context.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.12');
const conn = createConnection('h1', sshd.settings());
const USER = 'lbrun-t-svc';
const GROUP = 'lbrun-t-grp';
const getent = (db: string, name: string) => {
  try {
    return execFileSync('getent', [db, name]).toString();
  } catch {
    return '';
  }
};
const cleanup = () => {
  if (getent('passwd', USER)) execFileSync('userdel', [USER]);
  if (getent('group', GROUP)) execFileSync('groupdel', [GROUP]);
};
cleanup();
t.teardown(async () => {
  cleanup();
  await conn.close();
  await sshd.stop();
});

t.test('group then system user: check changes nothing, first run creates, second run ok, absent removes', async (t) => {
  const g = { name: GROUP, system: true };
  const u = { name: USER, system: true, shell: '/usr/sbin/nologin', groups: [GROUP] };
  const ctx = moduleContext(conn, { check: true });
  t.equal((await runModule('group', ctx, g)).plan.msg, `would run: groupadd --system ${GROUP}`);
  t.equal((await runModule('user', ctx, u)).changed, true);
  t.ok(ctx.state.pendingUsers.has(USER));
  t.equal(getent('group', GROUP), '');
  t.equal(getent('passwd', USER), '');

  t.equal((await runModule('group', moduleContext(conn), g)).changed, true);
  t.equal((await runModule('user', moduleContext(conn), u)).changed, true);
  t.match(getent('passwd', USER), /:\/usr\/sbin\/nologin\n$/);
  t.match(execFileSync('id', ['-Gn', USER]).toString(), GROUP);
  t.equal((await runModule('group', moduleContext(conn), g)).changed, false);
  t.equal((await runModule('user', moduleContext(conn), u)).changed, false);

  const shell = await runModule('user', moduleContext(conn), { ...u, shell: '/bin/sh' });
  t.equal(shell.plan.msg, `run: usermod --shell /bin/sh ${USER}`);
  t.equal((await runModule('user', moduleContext(conn), { name: USER, state: 'absent' })).changed, true);
  t.equal(getent('passwd', USER), '');
  t.equal((await runModule('group', moduleContext(conn), { name: GROUP, state: 'absent' })).changed, true);
  t.equal(getent('group', GROUP), '');
});
