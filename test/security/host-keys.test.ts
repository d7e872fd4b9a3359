/**
 * Host keys through the real CLI against a real sshd: a host whose key is unknown, or whose key
 * changed, is refused (unreachable, exit 4, the fingerprint named), nothing runs on it, and the
 * host with the right key finishes. --accept-new-host-keys never accepts a CHANGED key.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { recap, runCli } from '../support/run-cli.js';
import { startSshd } from '../support/sshd.js';

const sshd = await startSshd();
t.teardown(() => sshd.stop());

const marker = (host: string) => join(sshd.dir, `ran-on-${host}`);
const playbook = join(sshd.dir, 'touch.yaml');
writeFileSync(playbook, `- hosts: all\n  tasks:\n    - name: Leave a mark\n      command: touch ${sshd.dir}/ran-on-{{ inventory_hostname }}\n`);

/** An inventory of two names for the same sshd: 'good' trusts its key, 'bad' uses knownHosts. */
function inventory(badKnownHosts: string): string {
  const file = join(sshd.dir, 'inventory.yaml');
  const conn = `lbrun_host: ${sshd.address}, lbrun_port: ${sshd.port}, lbrun_ssh_key: ${sshd.clientKey}, lbrun_connect_retries: 0`;
  writeFileSync(file, `all:\n  hosts:\n    good: { ${conn}, lbrun_known_hosts: ${sshd.knownHosts} }\n    bad: { ${conn}, lbrun_known_hosts: ${badKnownHosts} }\n`);
  return file;
}

const serverFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8' }).split(' ')[1];
let refused = 0;

t.beforeEach(() => {
  for (const h of ['good', 'bad']) rmSync(marker(h), { force: true });
});

t.test('an unknown host key is refused; the other host finishes', async (t) => {
  const empty = join(sshd.dir, 'known_hosts.empty');
  writeFileSync(empty, '');
  const r = await runCli([playbook, '-i', inventory(empty), '--json']);
  t.equal(r.code, 4, `exit 4 (unreachable)\n${r.stderr}`);
  t.match(recap(r).bad, { ok: 0, changed: 0, failed: 0, unreachable: 1 }, 'bad: unreachable, nothing ran');
  t.equal(recap(r).good.changed, 1, 'good: the task ran');
  const ev = r.events.find((e) => e.event === 'host_result' && e.host === 'bad');
  t.match(String(ev?.msg), /unknown/, 'says the key is unknown');
  t.ok(String(ev?.msg).includes(serverFingerprint), `names the fingerprint ${serverFingerprint}`);
  t.notOk(existsSync(marker('bad')), 'nothing ran on the refused host');
  t.ok(existsSync(marker('good')), 'the trusted host ran the task');
  t.equal(readFileSync(empty, 'utf8'), '', 'known_hosts was not written without --accept-new-host-keys');
  refused++;
});

t.test('a changed host key is refused, even with --accept-new-host-keys', async (t) => {
  const other = join(sshd.dir, 'other_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
  const changed = join(sshd.dir, 'known_hosts.changed');
  const otherKey = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(changed, `[${sshd.address}]:${sshd.port} ${otherKey}\n`);
  for (const accept of [false, true]) {
    rmSync(marker('bad'), { force: true });
    const r = await runCli([playbook, '-i', inventory(changed), '--json', ...(accept ? ['--accept-new-host-keys'] : [])]);
    t.equal(r.code, 4, `exit 4 (accept-new=${accept})\n${r.stderr}`);
    t.equal(recap(r).bad.unreachable, 1, 'bad: unreachable');
    t.equal(recap(r).good.failed + recap(r).good.unreachable, 0, 'good: finished');
    const ev = r.events.find((e) => e.event === 'host_result' && e.host === 'bad');
    t.match(String(ev?.msg), /CHANGED/, 'says the key changed');
    t.ok(String(ev?.msg).includes(`${changed}:1`), 'names the known_hosts file and line');
    t.notOk(existsSync(marker('bad')), 'nothing ran on the refused host');
    t.equal(readFileSync(changed, 'utf8'), `[${sshd.address}]:${sshd.port} ${otherKey}\n`, 'known_hosts left as it was');
    refused++;
  }
});

t.test('figures', async (t) => {
  t.equal(refused, 3);
  t.comment(`FIGURE host_key_runs=3 refused=${refused} commands_run_on_refused_hosts=0`);
});
