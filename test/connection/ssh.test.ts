import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createConnection } from '../../src/connection/factory.js';
import { ConnectError, HostKeyError, InterruptedError, TaskTimeoutError } from '../../src/errors.js';
import { startSshd, TEST_USER, TEST_USER_PASSWORD } from '../support/sshd.js';

const sshd = await startSshd('127.0.0.3');
t.teardown(() => sshd.stop());

t.test('runs many commands on one connection, more at once than MaxSessions allows', async (t) => {
  const conn = createConnection('h1', sshd.settings());
  t.teardown(() => conn.close());
  const results = await Promise.all(Array.from({ length: 25 }, (_, i) => conn.run(`echo ${i}; echo err >&2; exit ${i % 3}`)));
  // the login shell may add its own noise to stderr (a user's ~/.bashrc runs under sshd): the
  // command's own output is what must come back, in the right stream, with its rc
  results.forEach((r, i) => {
    t.same({ rc: r.rc, stdout: r.stdout }, { rc: i % 3, stdout: `${i}\n` });
    t.ok(r.stderr.endsWith('err\n'), `stderr of command ${i} ends with its own output`);
  });
  t.equal(conn.stats.commands, 25);
});

t.test('cwd, env, stdin and binary put/get over ssh', async (t) => {
  const conn = createConnection('h1', sshd.settings());
  t.teardown(() => conn.close());
  const r = await conn.run('printf "%s|%s|" "$X" "$(pwd)"; cat', { cwd: '/tmp', env: { X: "a'b c" }, stdin: 'in' });
  t.equal(r.stdout, "a'b c|/tmp|in");
  const data = Buffer.from([0, 200, 10, 39, 36]);
  const file = join(sshd.dir, 'put-test');
  await conn.put(file, data, { mode: 0o600 });
  t.same(readFileSync(file), data);
  t.same(await conn.get(file), data);
  t.same(conn.stats, { commands: 3, puts: 1, bytesOut: 2 + data.length });
});

t.test('a command that runs too long is stopped with TaskTimeoutError', async (t) => {
  const conn = createConnection('h1', sshd.settings());
  t.teardown(() => conn.close());
  await t.rejects(conn.run('sleep 20', { timeoutMs: 300 }), TaskTimeoutError);
  t.equal((await conn.run('echo still usable')).stdout, 'still usable\n');
});

t.test('unknown host key is refused with its fingerprint; --accept-new-host-keys records it', async (t) => {
  const empty = join(sshd.dir, 'known_hosts.empty');
  writeFileSync(empty, '');
  const refused = createConnection('h1', sshd.settings({ knownHostsFile: empty }));
  const err = await refused.connect().catch((e: unknown) => e);
  t.type(err, HostKeyError);
  t.match((err as Error).message, /unknown: SHA256:[A-Za-z0-9+/]{43} /);
  t.match((err as Error).message, /--accept-new-host-keys/);

  const accepting = createConnection('h1', sshd.settings({ knownHostsFile: empty }), { acceptNewHostKeys: true });
  await accepting.connect();
  await accepting.close();
  t.equal(readFileSync(empty, 'utf8'), `[${sshd.address}]:${sshd.port} ${sshd.hostKeyLine}\n`, 'key recorded');
  const again = createConnection('h1', sshd.settings({ knownHostsFile: empty }));
  await again.connect();
  await again.close();
});

t.test('a changed host key is refused even with --accept-new-host-keys, naming the file and line', async (t) => {
  const wrong = join(sshd.dir, 'known_hosts.wrong');
  const other = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
  writeFileSync(wrong, `# comment\n[${sshd.address}]:${sshd.port} ssh-ed25519 ${other}\n`);
  for (const acceptNewHostKeys of [false, true]) {
    const conn = createConnection('h1', sshd.settings({ knownHostsFile: wrong }), { acceptNewHostKeys });
    const err = await conn.connect().catch((e: unknown) => e);
    t.type(err, HostKeyError);
    t.match((err as Error).message, /CHANGED/);
    t.match((err as Error).message, `${wrong}:2`);
  }
  t.equal(readFileSync(wrong, 'utf8').split('\n').length, 3, 'nothing recorded');
});

t.test('hashed known_hosts entries are understood', async (t) => {
  const { createHmac, randomBytes } = await import('node:crypto');
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(`[${sshd.address}]:${sshd.port}`).digest('base64');
  const file = join(sshd.dir, 'known_hosts.hashed');
  writeFileSync(file, `|1|${salt.toString('base64')}|${hash} ${sshd.hostKeyLine}\n`);
  const conn = createConnection('h1', sshd.settings({ knownHostsFile: file }));
  await conn.connect();
  await conn.close();
  t.pass('connected');
});

t.test('an unreachable host is a ConnectError after the retries', async (t) => {
  const conn = createConnection('ghost', sshd.settings({ address: '127.0.0.254', port: 1, connectRetries: 1 }));
  const started = Date.now();
  const err = await conn.connect().catch((e: unknown) => e);
  t.type(err, ConnectError);
  t.notOk(err instanceof HostKeyError);
  t.match((err as Error).message, /cannot connect to ghost \(root@127\.0\.0\.254:1\)/);
  t.ok(Date.now() - started >= 400, 'waited before retrying');
});

t.test('jump host: the target is reached through a first connection', async (t) => {
  const conn = createConnection(
    'h1',
    sshd.settings({ jumpHost: `root@${sshd.address}:${sshd.port}`, address: sshd.address }),
  );
  t.teardown(() => conn.close());
  t.equal((await conn.run('echo through')).stdout, 'through\n');
});

t.test('become through sudo with a password; the password never shows', async (t) => {
  const conn = createConnection('h1', sshd.settings({ user: TEST_USER }), { becomePassword: TEST_USER_PASSWORD });
  t.teardown(() => conn.close());
  t.equal((await conn.run('id -un')).stdout, `${TEST_USER}\n`);
  const r = await conn.run('id -un; cat', { become: true, stdin: 'own stdin' });
  t.same(r, { rc: 0, stdout: 'root\nown stdin', stderr: '' }, 'the command gets only its own stdin');
  const file = join(sshd.dir, 'root-owned');
  await conn.put(file, 'x', { become: true, mode: 0o600 });
  t.equal((await conn.run(`stat -c %U ${file}`)).stdout, 'root\n');
  const ps = await conn.run('ps -eo args', { become: true });
  t.notMatch(ps.stdout, TEST_USER_PASSWORD);
});

t.test('a wrong become password or none fails clearly without echoing it', async (t) => {
  const wrong = createConnection('h1', sshd.settings({ user: TEST_USER }), { becomePassword: 'not-the-password' });
  t.teardown(() => wrong.close());
  const err = await wrong.run('true', { become: true }).catch((e: unknown) => e);
  t.match((err as Error).message, /rejected the become password/);
  t.notMatch((err as Error).message, 'not-the-password');
  const none = createConnection('h1', sshd.settings({ user: TEST_USER }));
  t.teardown(() => none.close());
  await t.rejects(none.run('true', { become: true }), /needs a password: set LBRUN_BECOME_PASSWORD/);
});

t.test('a timed-out command is killed on the host with everything it started', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const conn = createConnection('h1', sshd.settings());
  t.teardown(() => conn.close());
  // durations no other process on the machine has ("sleep 27" would also match "sleep 270")
  const [a, b] = [`sleep 27.${process.pid}`, `sleep 28.${process.pid}`];
  await t.rejects(conn.run(`${a} & ${b}; echo never`, { timeoutMs: 300 }), TaskTimeoutError);
  await new Promise((r) => setTimeout(r, 700));
  const living = execFileSync('ps', ['-eo', 'stat=,args='])
    .toString()
    .split('\n')
    .filter((l) => !l.trim().startsWith('Z') && (l.trim().endsWith(a) || l.trim().endsWith(b)));
  t.same(living, [], 'no process left behind');
});

t.test('an abort stops a running command (InterruptedError) and kills it on the host', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const conn = createConnection('h1', sshd.settings());
  t.teardown(() => conn.close());
  const marker = `sleep 29.${process.pid}`;
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 300);
  const t0 = Date.now();
  await t.rejects(conn.run(`${marker}; echo never`, { signal: ac.signal }), InterruptedError);
  t.ok(Date.now() - t0 < 5000, 'promptly');
  await t.rejects(conn.run('true', { signal: ac.signal }), InterruptedError, 'an aborted signal runs nothing');
  await new Promise((r) => setTimeout(r, 700));
  const living = execFileSync('ps', ['-eo', 'stat=,args='])
    .toString()
    .split('\n')
    .filter((l) => !l.trim().startsWith('Z') && l.trim().endsWith(marker));
  t.same(living, [], 'no process left behind');
  t.equal((await conn.run('echo still usable')).stdout, 'still usable\n');
});

t.test('an abort at any moment of the start (before the command printed its pid, too) leaves no process on the host', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const conn = createConnection('h1', sshd.settings());
  t.teardown(() => conn.close());
  t.equal((await conn.run('true')).rc, 0, 'connected');
  const markers: string[] = [];
  for (let delay = 0; delay <= 40; delay += 2) {
    const marker = `sleep 28.${process.pid}${String(delay).padStart(2, '0')}`;
    markers.push(marker);
    const ac = new AbortController();
    const run = conn.run(`${marker}; echo never`, { signal: ac.signal });
    setTimeout(() => ac.abort(), delay);
    await t.rejects(run, InterruptedError, `aborted after ${delay} ms`);
  }
  await conn.close();
  const living = execFileSync('ps', ['-eo', 'stat=,args='])
    .toString()
    .split('\n')
    .filter((l) => !l.trim().startsWith('Z') && markers.some((m) => l.trim().endsWith(m)));
  t.same(living, [], `no process left behind (${markers.length} aborts, 0 to 40 ms after the start; close() waited for the kills)`);
});

t.test('ssh-agent: without a key file, the key held by the agent (SSH_AUTH_SOCK) logs in', async (t) => {
  const { execFileSync, spawn } = await import('node:child_process');
  const sock = join(sshd.dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  t.teardown(() => agent.kill());
  for (let i = 0; i < 50 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  execFileSync('ssh-add', [sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  const saved = process.env.SSH_AUTH_SOCK;
  process.env.SSH_AUTH_SOCK = sock;
  t.teardown(() => {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
  });
  const conn = createConnection('h1', sshd.settings({ privateKeyFile: undefined }));
  t.teardown(() => conn.close());
  t.equal((await conn.run('echo via agent')).stdout, 'via agent\n');
  // an agent without the key: authentication fails, not retried, a ConnectError
  execFileSync('ssh-add', ['-D'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  const other = createConnection('h2', sshd.settings({ privateKeyFile: undefined }));
  t.teardown(() => other.close());
  await t.rejects(other.run('true'), ConnectError);
});
