/**
 * `lbrun lab up` / `status` / `backend` as a user sees them, against the real lab: SSH with the lab
 * key and known_hosts, systemd state, the local apt repository, the stand-in API servers over TLS,
 * become with a password, idempotence and repair, extra hosts through the library.
 * Lab files run one at a time (ensureLab holds the lab for this process).
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runCli } from '../support/run-cli.js';
import {
  BACKENDS,
  LAB_FILES,
  LAB_HOSTS,
  ensureLab,
  holdLab,
  labExec,
  labSsh,
  startBackend,
  stopBackend,
} from './helpers.js';
import { baseDir, ensureHost, hostState, removeHost, type LabStatus } from '../../src/lab/index.js';

t.setTimeout(30 * 60_000);

function sh(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    c.on('error', reject);
    c.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

const HOSTS = Object.keys(LAB_HOSTS);

t.before(async () => {
  await holdLab();
});

t.test('lbrun lab up brings up three hosts and three backends', async (t) => {
  const r = await runCli(['lab', 'up'], { timeoutMs: 20 * 60_000 });
  t.equal(r.code, 0, `exit 0\n${r.stderr}`);
  for (const h of HOSTS) t.match(r.stdout, new RegExp(`^${h}\\s+${LAB_HOSTS[h].replace(/\./g, '\\.')}\\s+running\\s+up\\s+(running|degraded)`, 'm'), `${h} running, sshd up`);
  for (const b of BACKENDS) t.match(r.stdout, new RegExp(`^${b.name}\\s+.*up \\(readyz ok\\)`, 'm'), `${b.name} up`);
  t.match(r.stderr, /\[lab\] lab up in [\d.]+ s/, 'progress on stderr');
});

t.test('ssh as root with the lab key and StrictHostKeyChecking=yes, each host its own key', async (t) => {
  const known = readFileSync(LAB_FILES.knownHosts, 'utf8').trim().split('\n');
  const keys = new Set<string>();
  for (const h of HOSTS) {
    const line = known.find((l) => l.startsWith(`${LAB_HOSTS[h]} `));
    t.ok(line, `known_hosts has ${LAB_HOSTS[h]}`);
    if (line) keys.add(line.split(' ')[2]);
    const r = await sh('ssh', [
      '-F', '/dev/null', '-i', LAB_FILES.privateKey, '-o', `UserKnownHostsFile=${LAB_FILES.knownHosts}`,
      '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', `root@${LAB_HOSTS[h]}`, 'hostname; id -u',
    ]);
    t.equal(r.code, 0, `ssh root@${LAB_HOSTS[h]}: ${r.stderr}`);
    t.equal(r.stdout, `${h}\n0\n`, `${h} answers as itself, as root`);
  }
  t.equal(keys.size, 3, 'three different host keys');
});

t.test('systemd on each host: running (or degraded only by getty units); eth0 as in production', async (t) => {
  for (const h of HOSTS) {
    const r = await labSsh(h, 'systemctl is-system-running; systemctl --failed --no-legend --plain | cut -d" " -f1; ip -4 -o addr show eth0; ip route show default');
    const [state, ...rest] = r.stdout.trim().split('\n');
    const failed = rest.filter((l) => l.endsWith('.service') || l.endsWith('.socket') || l.endsWith('.mount'));
    t.ok(state === 'running' || (state === 'degraded' && failed.every((u) => /getty/.test(u))), `${h}: ${state} ${failed.join(' ')}`);
    t.match(r.stdout, new RegExp(`inet ${LAB_HOSTS[h].replace(/\./g, '\\.')}/24`), `${h} eth0 has its address`);
    t.match(r.stdout, /default via 10\.213\.0\.1 dev eth0/, `${h} default route via the controller`);
  }
});

t.test('apt on a host resolves haproxy and keepalived from the local repository only; the base has neither', async (t) => {
  for (const h of HOSTS) {
    // --reinstall: other lab tests may have installed them already; the resolution is what counts
    const r = await labSsh(h, 'apt-get update 2>&1; echo "rc=$?"; apt-get install -s --reinstall haproxy keepalived; grep -rh "^deb\\|^URIs" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null');
    t.match(r.stdout, /rc=0/, `${h}: apt-get update works offline`);
    t.notMatch(r.stdout, /^(W|E): /m, `${h}: no apt warning or error`);
    t.match(r.stdout, /^Inst haproxy .*lbrun-lab/m, `${h}: haproxy from the lab repository`);
    t.match(r.stdout, /^Inst keepalived .*lbrun-lab/m, `${h}: keepalived from the lab repository`);
    t.match(r.stdout, /^deb \[trusted=yes\] file:\/srv\/repo \.\/$/m, `${h}: the source is file:/srv/repo`);
    t.equal(r.stdout.match(/^(deb|URIs)/gm)?.length, 1, `${h}: it is the only apt source`);
  }
  const admin = `${baseDir()}/var/lib/dpkg`;
  for (const p of ['haproxy', 'keepalived']) {
    const q = await sh('dpkg-query', [`--admindir=${admin}`, '-W', '-f', '${Status}', p]);
    t.notMatch(q.stdout, /install ok installed/, `${p} is not preinstalled in the base`);
  }
  const sshd = await sh('dpkg-query', [`--admindir=${admin}`, '-W', '-f', '${Status}', 'openssh-server']);
  t.equal(sshd.stdout, 'install ok installed', '(the query works: openssh-server is in the base)');
});

t.test('the stand-in API servers answer over TLS, from the controller and from a host', async (t) => {
  for (const b of BACKENDS) {
    const r = await sh('curl', ['-sS', '-i', '--cacert', LAB_FILES.caCert, `https://${b.address}:6443/readyz`]);
    t.equal(r.code, 0, `curl --cacert .lab/ca.crt https://${b.address}:6443/readyz: ${r.stderr}`);
    t.match(r.stdout, /^HTTP\/1\.1 200/, `${b.name} /readyz 200`);
    t.match(r.stdout, new RegExp(`x-lab-backend: ${b.name}`, 'i'), `${b.name} names itself`);
    t.match(r.stdout, /\r\n\r\nok$/, 'body ok');
    const v = await sh('curl', ['-sS', '-k', `https://${b.address}:6443/version`]);
    const version = JSON.parse(v.stdout) as Record<string, string>;
    t.match(version, { major: '1', minor: '30', gitVersion: /\+k3s/ }, `${b.name} /version like k3s`);
    const l = await sh('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', LAB_FILES.caCert, `https://${b.address}:6443/livez`]);
    t.equal(l.stdout, '200', `${b.name} /livez 200`);
  }
  const py = `import ssl, urllib.request
ctx = ssl.create_default_context(cafile="/etc/lbrun-lab/ca.crt")
for a in ("10.213.0.201", "10.213.0.202", "10.213.0.203"):
    r = urllib.request.urlopen("https://%s:6443/readyz" % a, context=ctx, timeout=5)
    print(a, r.status, r.headers["X-Lab-Backend"], r.read().decode())`;
  const r = await labSsh('lb-02', 'python3 -', { input: py });
  t.equal(r.code, 0, `python3 on lb-02: ${r.stderr}`);
  t.same(r.stdout.trim().split('\n'), BACKENDS.map((b) => `${b.address} 200 ${b.name} ok`), 'from lb-02, verified with the lab CA');
});

t.test('user lbrun: same key, sudo asks for the password in .lab/become_password', async (t) => {
  const password = readFileSync(LAB_FILES.becomePassword, 'utf8').trim();
  const none = await labSsh('lb-01', 'sudo -n true', { user: 'lbrun' });
  t.not(none.code, 0, 'sudo without a password is refused');
  t.match(none.stderr, /password is required/);
  const wrong = await labSsh('lb-01', "sudo -S -p '' id -u", { user: 'lbrun', input: 'wrong-password\n' });
  t.not(wrong.code, 0, 'a wrong password is refused');
  const ok = await labSsh('lb-01', "id -un; sudo -S -p '' id -u", { user: 'lbrun', input: `${password}\n` });
  t.equal(ok.code, 0, ok.stderr);
  t.equal(ok.stdout, 'lbrun\n0\n', 'lbrun becomes root with the password');
});

t.test('lab status: hosts, services, VIP holder, backends (text and --json)', async (t) => {
  const r = await runCli(['lab', 'status']);
  t.equal(r.code, 0);
  t.match(r.stdout, /^HOST\s+ADDRESS\s+STATE\s+SSHD\s+SYSTEMD\s+HAPROXY\s+KEEPALIVED\s+VIP/m);
  t.match(r.stdout, /^VIP 10\.213\.0\.210: held by (no host|lb-0\d)$/m);
  const j = await runCli(['lab', 'status', '--json']);
  const s = JSON.parse(j.stdout) as LabStatus;
  t.equal(s.up, true);
  t.same(s.hosts.filter((h) => HOSTS.includes(h.name)).map((h) => [h.name, h.running, h.sshd]), HOSTS.map((h) => [h, true, true]));
  t.same(s.backends.map((b) => b.ready), [true, true, true]);
  // the VIP report must match `ip addr` on the hosts. Other lab tests may have converged the tier
  // (keepalived holds the VIP): compare with the truth; else put the VIP on lb-03 by hand.
  const truth = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const h of HOSTS) if ((await labExec(h, 'ip -4 -o addr show dev eth0')).stdout.includes(' inet 10.213.0.210/')) out.push(h);
    return out;
  };
  let holders = await truth();
  const byHand = holders.length === 0;
  if (byHand) {
    await labExec('lb-03', 'ip addr add 10.213.0.210/24 dev eth0');
    holders = ['lb-03'];
  }
  try {
    const s2 = JSON.parse((await runCli(['lab', 'status', '--json'])).stdout) as LabStatus;
    t.same(s2.vipHolders, holders, `status names the host holding the VIP (${holders.join(', ')})`);
    t.equal(s2.vipHolder, holders[0]);
    if (holders.length === 1) {
      t.match((await runCli(['lab', 'status'])).stdout, new RegExp(`^VIP 10\\.213\\.0\\.210: held by ${holders[0]}$`, 'm'));
    }
  } finally {
    if (byHand) await labExec('lb-03', 'ip addr del 10.213.0.210/24 dev eth0');
  }
});

t.test('lab backend stop|start takes one stand-in away and brings it back', async (t) => {
  const stop = await runCli(['lab', 'backend', 'stop', '2']);
  t.equal(stop.code, 0, stop.stderr);
  t.equal(stop.stdout, 'k3s-lab-cp-02 down\n');
  const gone = await sh('curl', ['-sS', '-m', '2', '--cacert', LAB_FILES.caCert, 'https://10.213.0.202:6443/readyz']);
  t.not(gone.code, 0, 'k3s-lab-cp-02 does not answer');
  t.match((await runCli(['lab', 'status'])).stdout, /^k3s-lab-cp-02\s+\S+\s+down$/m);
  const other = await sh('curl', ['-sS', '--cacert', LAB_FILES.caCert, 'https://10.213.0.201:6443/readyz']);
  t.equal(other.stdout, 'ok', 'the others still answer');
  const start = await runCli(['lab', 'backend', 'start', 'k3s-lab-cp-02']);
  t.equal(start.code, 0, start.stderr);
  t.equal(start.stdout, 'k3s-lab-cp-02 up\n');
  // from a host too (its ARP cache must still be right: the backend keeps its MAC)
  const py = 'import ssl,urllib.request;print(urllib.request.urlopen("https://10.213.0.202:6443/readyz",context=ssl.create_default_context(cafile="/etc/lbrun-lab/ca.crt"),timeout=5).read().decode())';
  t.equal((await labExec('lb-01', `python3 -c '${py}'`)).stdout, 'ok\n', 'lb-01 reaches it again at once');
  // the helpers do the same
  await stopBackend(3);
  t.not((await sh('curl', ['-sS', '-m', '2', '-k', 'https://10.213.0.203:6443/readyz'])).code, 0);
  await startBackend(3);
  t.equal((await sh('curl', ['-sS', '-k', 'https://10.213.0.203:6443/readyz'])).stdout, 'ok');
  const bad = await runCli(['lab', 'backend', 'stop', '9']);
  t.equal(bad.code, 3, 'an unknown backend is a usage error');
  t.match(bad.stderr, /unknown lab backend "9"/);
});

t.test('a second lab up leaves running hosts alone and is fast', async (t) => {
  const before = await Promise.all(HOSTS.map(async (h) => (await hostState(h)).pid));
  const r = await runCli(['lab', 'up']);
  t.equal(r.code, 0, r.stderr);
  const after = await Promise.all(HOSTS.map(async (h) => (await hostState(h)).pid));
  t.same(after, before, 'same PID 1 on every host: nothing restarted');
  t.ok(r.durationMs < 15_000, `took ${r.durationMs} ms`);
  t.notMatch(r.stderr, /booting/, 'no host booted');
});

t.test('lab up repairs a half-broken lab: a killed host, a deleted bridge', async (t) => {
  const lb2 = await hostState('lb-02');
  process.kill(lb2.pid!, 'SIGKILL');
  t.equal((await sh('ip', ['link', 'del', 'lbrun0'])).code, 0, 'bridge deleted');
  const r = await runCli(['lab', 'up']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /lb-02: booting/, 'lb-02 booted again');
  for (const h of HOSTS) {
    const s = await labSsh(h, 'hostname');
    t.equal(s.stdout, `${h}\n`, `${h} reachable over ssh again`);
  }
  for (const b of BACKENDS) {
    t.equal((await sh('curl', ['-sS', '--cacert', LAB_FILES.caCert, `https://${b.address}:6443/readyz`])).stdout, 'ok', `${b.name} again`);
  }
});

t.test('extra hosts through the library: ensureHost / removeHost', async (t) => {
  const st = await ensureHost({ name: 'lb-extra', address: '10.213.0.99' });
  t.equal(st.running, true);
  t.match(readFileSync(LAB_FILES.knownHosts, 'utf8'), /^10\.213\.0\.99 ssh-ed25519 /m, 'known_hosts has it');
  const r = await labSsh('10.213.0.99', 'hostname; systemctl is-system-running');
  t.equal(r.stdout, 'lb-extra\nrunning\n', 'it boots like the others');
  t.equal((await ensureHost({ name: 'lb-extra', address: '10.213.0.99' })).pid, st.pid, 'ensureHost again: left alone');
  await t.rejects(ensureHost({ name: 'lb-other', address: '10.213.0.11' }), /already used by lb-01/, 'an address in use is refused');
  await t.rejects(ensureHost({ name: 'Bad_Name', address: '10.213.0.98' }), /invalid/);
  await t.rejects(ensureHost({ name: 'lb-x', address: '192.168.0.5' }), /invalid/, 'only lab addresses');
  await removeHost('lb-extra');
  t.equal((await hostState('lb-extra')).running, false, 'removed');
  t.notMatch(readFileSync(LAB_FILES.knownHosts, 'utf8'), /10\.213\.0\.99/, 'and forgotten by known_hosts');
  t.equal((await sh('ip', ['link', 'show', 'lbv-lbextra'])).code, 1, 'its link is gone');
});

t.test('not root: a clear error, exit 3', async (t) => {
  // env -i: tap's process hooks (NODE_OPTIONS) would try to write into .tap/ as nobody
  const r = await sh('env', ['-i', 'PATH=/usr/bin:/bin', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
    process.execPath, 'bin/lbrun.js', 'lab', 'status']);
  t.equal(r.code, 3);
  t.equal(r.stderr, 'lbrun lab needs root on Linux\n');
});

t.test('ensureLab leaves a lab that is up alone (what makes it cheap, whatever the machine load)', async (t) => {
  const before = await Promise.all(HOSTS.map(async (h) => (await hostState(h)).pid));
  await ensureLab();
  const after = await Promise.all(HOSTS.map(async (h) => (await hostState(h)).pid));
  t.same(after, before, 'same PID 1 on every host: nothing re-created or restarted');
  t.ok(after.every((p) => typeof p === 'number' && p > 1), `every host running (${after.join(', ')})`);
});
