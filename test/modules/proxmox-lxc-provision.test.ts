/**
 * `lbrun playbooks/provision.yaml` through the real CLI with the production inventory's provisioning
 * block, pointed at a FAKE Proxmox VE API server on 127.0.0.1 (test/support/fake-pve). The node
 * addresses become 127.0.0.11-13, where small TCP listeners stand in for the new containers' sshd.
 * Never a real Proxmox address: the test checks the inventory copy before running anything.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { FakePve } from '../support/fake-pve/fake-pve-server.js';
import { makeSelfSignedCert } from '../support/fake-pve/self-signed-cert.js';
import { REPO_ROOT, recap, runCli, type CliResult } from '../support/run-cli.js';

const SECRET = '7e57c0de-aaaa-bbbb-cccc-5ec2e7000001';
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIProvisionTestKey lbrun@controller';
const HOSTS = { 'lb-01': '127.0.0.11', 'lb-02': '127.0.0.12', 'lb-03': '127.0.0.13' };

const tls = makeSelfSignedCert();
const shipped = readFileSync(join(REPO_ROOT, 'inventory/hosts.yaml'), 'utf8');
const template = /lxc_ostemplate: (\S+)/.exec(shipped)?.[1] ?? 'missing';
const fake = new FakePve({ cert: tls.cert, key: tls.key, tokenId: 'lbrun@pve!provision', tokenSecret: SECRET, templates: [template], taskMs: 80 });
const apiUrl = await fake.start();
t.teardown(() => fake.stop());

// Stand-ins for the containers' sshd: count every TCP connection to port 22.
const probes: Record<string, number> = {};
const listeners = await Promise.all(
  Object.entries(HOSTS).map(
    ([name, address]) =>
      new Promise<net.Server>((resolve, reject) => {
        const srv = net.createServer((sock) => {
          probes[name] = (probes[name] ?? 0) + 1;
          sock.on('error', () => {}); // the probe hangs up at once: a reset is expected
          sock.end('SSH-2.0-stand-in\r\n');
        });
        srv.once('error', reject);
        srv.listen(22, address, () => resolve(srv));
      }),
  ),
);
t.teardown(() => Promise.all(listeners.map((s) => new Promise((r) => s.close(r)))));

// The production inventory, with the fake's URL and CA, loopback addresses and a /8 prefix.
const dir = mkdtempSync(join(tmpdir(), 'lbrun-provision-'));
let text = shipped
  .replace(/pve_api_url: \S+/, `pve_api_url: ${apiUrl}`)
  .replace(/pve_ca_file: \S+/, `pve_ca_file: ${tls.caFile}`)
  .replace(/lxc_gateway: \S+/, 'lxc_gateway: 127.0.0.1')
  .replace(/lxc_prefix: \d+/, 'lxc_prefix: 8');
for (const [name, address] of Object.entries(HOSTS)) {
  text = text.replace(new RegExp(`(${name}:\\s*\\n\\s*lbrun_host: )\\S+`), `$1${address}`);
}
const inventory = join(dir, 'hosts.yaml');
writeFileSync(inventory, text);
const urls = text.match(/https:\/\/[^\s"']+/g) ?? [];
const lbrunHosts = [...text.matchAll(/lbrun_host: (\S+)/g)].map((m) => m[1]);
if (urls.some((u) => !u.startsWith(apiUrl)) || lbrunHosts.some((h) => !h.startsWith('127.'))) {
  throw new Error(`the inventory copy still points away from loopback: ${urls.join(' ')} ${lbrunHosts.join(' ')}`);
}

const env = { LBRUN_PVE_TOKEN_SECRET: SECRET, LBRUN_SSH_PUBLIC_KEY: SSH_KEY };
const provision = (args: string[] = [], e: NodeJS.ProcessEnv = env) =>
  runCli(['playbooks/provision.yaml', '-i', inventory, '--json', ...args], { env: e, timeoutMs: 120_000 });

const results = (r: CliResult, task: RegExp) =>
  r.events.filter((e) => e.event === 'host_result' && task.test(String(e.task)));
const noSecret = (t: Test, r: CliResult, secret = SECRET) => {
  t.notMatch(r.stdout, secret, 'secret not in stdout');
  t.notMatch(r.stderr, secret, 'secret not in stderr');
};

t.test('check mode on nothing: would create three containers, writes nothing', async (t) => {
  const r = await provision(['--check', '--diff', '-v']);
  t.equal(r.code, 0, r.stderr);
  const res = results(r, /Container on Proxmox VE/).sort((x, y) => String(x.host).localeCompare(String(y.host)));
  t.same(res.map((e) => [e.host, e.status]), [['lb-01', 'changed'], ['lb-02', 'changed'], ['lb-03', 'changed']]);
  t.match(res[0].msg, /would create and start CT 211 \(lb-01\) on pve/);
  t.match(JSON.stringify(res[0].diff), /\+cores: 2.*\+memory: 512.*\+rootfs: 8G/);
  t.same(fake.writes(), [], 'no POST/PUT/DELETE');
  t.same(probes, {}, 'nothing connected to port 22');
  noSecret(t, r);
});

t.test('first run creates and starts the three containers; SSH is waited for', async (t) => {
  const r = await provision(['--diff', '-v']);
  t.equal(r.code, 0, r.stderr);
  t.same(
    Object.fromEntries(Object.entries(recap(r)).map(([h, c]) => [h, [c.changed, c.failed, c.skipped]])),
    { 'lb-01': [1, 0, 1], 'lb-02': [1, 0, 1], 'lb-03': [1, 0, 1] },
    'proxmox task changed, lab task skipped, on each host',
  );
  t.match(results(r, /Container on Proxmox VE/).find((e) => e.host === 'lb-02')?.msg, /CT 212 \(lb-02\) on pve created and started; SSH answers on 127\.0\.0\.12:22/);
  for (const [vmid, name] of [[211, 'lb-01'], [212, 'lb-02'], [213, 'lb-03']] as const) {
    const ct = fake.containers.get(vmid);
    t.equal(ct?.status, 'running', `${name} running`);
    t.match(ct?.config, { hostname: name, cores: 2, memory: 512, swap: 512, onboot: 1, unprivileged: 1, tags: 'lbrun;loadbalancer',
      rootfs: `local-lvm:vm-${vmid}-disk-0,size=8G`, net0: new RegExp(`bridge=vmbr0,ip=${HOSTS[name].replace(/\./g, '\\.')}/8,gw=127\\.0\\.0\\.1`) });
    t.equal(ct?.authorizedKeys, SSH_KEY, 'the public key from LBRUN_SSH_PUBLIC_KEY');
  }
  t.same(probes, { 'lb-01': 1, 'lb-02': 1, 'lb-03': 1 }, 'port 22 saw only the one readiness probe per host: no SSH session by the engine');
  noSecret(t, r);
});

t.test('second run: changed=0, only GETs', async (t) => {
  const writes = fake.writes().length;
  const r = await provision(['--diff']);
  t.equal(r.code, 0, r.stderr);
  for (const [h, c] of Object.entries(recap(r))) t.equal(c.changed, 0, `${h} unchanged`);
  t.equal(fake.writes().length, writes, 'no POST/PUT/DELETE');
  t.same(probes, { 'lb-01': 1, 'lb-02': 1, 'lb-03': 1 }, 'no new connection to port 22');
});

t.test('a failing Proxmox task fails that host with the task exit status (exit 2)', async (t) => {
  fake.containers.get(212)!.status = 'stopped';
  fake.failNextTask.set('vzstart', "startup for container '212' failed");
  const r = await provision();
  t.equal(r.code, 2);
  const [lb02] = results(r, /Container on Proxmox VE/).filter((e) => e.host === 'lb-02');
  t.equal(lb02.status, 'failed');
  t.match(lb02.msg, /start of CT 212 failed: Proxmox task UPID:pve:.*:vzstart:212:lbrun@pve!provision: ended with: startup for container '212' failed/);
  t.equal(recap(r)['lb-01'].failed, 0);
  const again = await provision();
  t.equal(again.code, 0, 'the next run starts it');
  t.equal(recap(again)['lb-02'].changed, 1);
});

t.test('no token secret in the environment: the assert says what to set, no API call', async (t) => {
  const before = fake.requests.length;
  const r = await provision([], { LBRUN_PVE_TOKEN_SECRET: undefined, LBRUN_SSH_PUBLIC_KEY: SSH_KEY });
  t.equal(r.code, 2);
  t.match(results(r, /token secret/)[0].msg, /set LBRUN_PVE_TOKEN_SECRET \(the secret of lbrun@pve!provision\)/);
  t.equal(fake.requests.length, before, 'the API was not contacted');
});

t.test('a wrong secret: 401 explained, and the wrong secret is not printed either', async (t) => {
  const wrong = 'wrong-5ec2e7-value-123';
  const r = await provision(['-v'], { ...env, LBRUN_PVE_TOKEN_SECRET: wrong });
  t.equal(r.code, 2);
  t.match(results(r, /Container on Proxmox VE/)[0]?.msg, /HTTP 401 authentication failure - check api_token_id and api_token_secret/);
  noSecret(t, r, wrong);
});

t.test('bad arguments are refused before anything is contacted (exit 3, file:line)', async (t) => {
  const play = join(dir, 'bad.yaml');
  writeFileSync(
    play,
    `- hosts: loadbalancers\n  tasks:\n    - name: bad\n      proxmox_lxc:\n        hostname: lb-01\n        node: pve\n        state: running\n        memory: 1.5\n`,
  );
  const before = fake.requests.length;
  const r = await runCli([play, '-i', inventory], { env });
  t.equal(r.code, 3);
  t.match(r.stderr, `${play}:7:16: invalid value "running" (at /0/tasks/0/proxmox_lxc/state); expected one of: present, started, stopped, absent`);
  t.match(r.stderr, `${play}:4:7: missing key 'api_url'`);
  t.match(r.stderr, /bad\.yaml:8:17: invalid value 1\.5 .*expected an integer/);
  t.equal(fake.requests.length, before, 'the API was not contacted');
});
