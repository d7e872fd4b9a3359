/**
 * proxmox_lxc with driver proxmox, against a FAKE Proxmox VE API server (test/support/fake-pve):
 * HTTPS on 127.0.0.1 with a throw-away CA made by openssl. Never a real Proxmox address.
 */
import t, { type Test } from 'tap';
import type { Connection } from '../../src/connection/types.js';
import { TaskError } from '../../src/errors.js';
import type { ProxmoxLxcArgs } from '../../src/modules/proxmox/args.js';
import type { PlanResult } from '../../src/modules/types.js';
import { FakePve } from '../support/fake-pve/fake-pve-server.js';
import { makeSelfSignedCert } from '../support/fake-pve/self-signed-cert.js';
import { moduleContext, runModule } from '../support/module-context.js';

const TOKEN_ID = 'lbrun@pve!provision';
const SECRET = 'c0ffee00-5ec2-e7aa-bbbb-123456789abc';
const TEMPLATE = 'local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst';
const tls = makeSelfSignedCert();

/** The module runs on the controller: any use of the host connection is a bug. */
const noConnection = new Proxy({} as Connection, {
  get(_t, prop) {
    if (prop === 'host') return 'lb-01';
    throw new Error(`proxmox_lxc touched the host connection (${String(prop)})`);
  },
});

/** What the engine does: plan, then apply when something must change (never in check mode). */
async function run(args: ProxmoxLxcArgs, opts: { check?: boolean } = {}) {
  const out = await runModule('proxmox_lxc', moduleContext(noConnection, { check: opts.check ?? false }), { ...args });
  return { plan: out.plan, changed: out.changed, msg: out.applied?.msg ?? out.plan.msg ?? '' };
}

async function startFake(t: Test) {
  const fake = new FakePve({ cert: tls.cert, key: tls.key, tokenId: TOKEN_ID, tokenSecret: SECRET, templates: [TEMPLATE], taskMs: 120 });
  const apiUrl = await fake.start();
  t.teardown(() => fake.stop());
  const args = (over: Partial<ProxmoxLxcArgs> = {}): ProxmoxLxcArgs => ({
    api_url: apiUrl,
    api_token_id: TOKEN_ID,
    api_token_secret: SECRET,
    ca_file: tls.caFile,
    node: 'pve',
    vmid: 101,
    hostname: 'lb-01',
    ostemplate: TEMPLATE,
    cores: 2,
    memory: 512,
    swap: 512,
    rootfs_size: 8,
    net0: { bridge: 'vmbr0', address: '127.0.0.2/8', gateway: '127.0.0.1' },
    nameserver: '1.1.1.1',
    ssh_public_keys: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests lbrun@controller',
    unprivileged: true,
    onboot: true,
    tags: ['lb', 'k3s'],
    state: 'present',
    ...over,
  });
  return { fake, apiUrl, args };
}

t.test('create from nothing, then a second run changes nothing', async (t) => {
  const { fake, args } = await startFake(t);
  const first = await run(args());
  t.equal(first.changed, true);
  t.match(first.msg, /CT 101 \(lb-01\) on pve created/);
  const create = fake.writes().find((r) => r.method === 'POST' && r.path === '/nodes/pve/lxc');
  t.ok(create, 'POST /nodes/pve/lxc was sent');
  t.match(create!.params, {
    vmid: '101', hostname: 'lb-01', ostemplate: TEMPLATE, cores: '2', memory: '512', swap: '512',
    rootfs: 'local-lvm:8', net0: 'name=eth0,bridge=vmbr0,ip=127.0.0.2/8,gw=127.0.0.1', nameserver: '1.1.1.1',
    unprivileged: '1', onboot: '1', tags: 'k3s;lb', start: '0',
  });
  t.equal(fake.containers.get(101)?.authorizedKeys, args().ssh_public_keys, 'ssh-public-keys arrived intact (form-encoded)');
  t.ok(fake.requests.some((r) => r.path.startsWith('/nodes/pve/tasks/UPID:pve:') && r.path.includes(':vzcreate:101:')), 'the create task was polled');
  t.equal(first.plan.diff?.[0].before, '', 'diff: nothing before');
  t.match(first.plan.diff?.[0].after, /^hostname: lb-01\ncores: 2\nmemory: 512\nswap: 512\nrootfs: 8G\nnet0: name=eth0,bridge=vmbr0,ip=127.0.0.2\/8,gw=127.0.0.1\nnameserver: 1.1.1.1\nonboot: 1\nunprivileged: 1\ntags: k3s;lb\nstatus: stopped\n$/);

  const writesBefore = fake.writes().length;
  const second = await run(args());
  t.equal(second.changed, false, 'second run: ok, not changed');
  t.match(second.msg, /is as wanted/);
  t.equal(fake.writes().length, writesBefore, 'second run sent no POST/PUT/DELETE');
  t.same(fake.requests.slice(-2).map((r) => `${r.method} ${r.path}`), ['GET /nodes/pve/lxc', 'GET /nodes/pve/lxc/101/config'], 'plan = two GETs');
});

t.test('a memory change PUTs only that key; net0 keeps its MAC address', async (t) => {
  const { fake, args } = await startFake(t);
  await run(args({ state: 'started', wait_for_ssh: false }));
  const mac = String(fake.containers.get(101)!.config.net0).match(/hwaddr=([^,]+)/)![1];
  const n = fake.writes().length;
  const res = await run(args({ state: 'started', wait_for_ssh: false, memory: 1024 }));
  t.equal(res.changed, true);
  t.match(res.msg, /memory 512 -> 1024/);
  t.notMatch(res.msg, /restart/, 'memory applies live: no restart note');
  const writes = fake.writes().slice(n);
  t.same(writes.map((w) => [w.method, w.path, w.params]), [['PUT', '/nodes/pve/lxc/101/config', { memory: '1024' }]]);
  t.match(res.plan.diff?.[0], { before: /memory: 512\n/, after: /memory: 1024\n/ });

  const moved = await run(args({ state: 'started', wait_for_ssh: false, memory: 1024, net0: { bridge: 'vmbr1', address: '127.0.0.2/8', gateway: '127.0.0.1' } }));
  t.match(moved.msg, /net0 .* -> name=eth0,bridge=vmbr1/);
  t.match(moved.msg, /the container is running: net0 take effect after a restart/);
  const put = fake.writes().at(-1)!;
  const props = Object.fromEntries(put.params.net0.split(',').map((kv) => kv.split('=')));
  t.same(props, { name: 'eth0', bridge: 'vmbr1', hwaddr: mac, ip: '127.0.0.2/8', type: 'veth', gw: '127.0.0.1' }, 'hwaddr and type kept');
  t.equal((await run(args({ state: 'started', wait_for_ssh: false, memory: 1024, net0: { bridge: 'vmbr1', address: '127.0.0.2/8', gateway: '127.0.0.1' } }))).changed, false);
});

t.test('removing settings uses the delete list; rootfs grows through /resize, never shrinks', async (t) => {
  const { fake, args } = await startFake(t);
  await run(args());
  const n = fake.writes().length;
  await run(args({ nameserver: [], tags: [] }));
  t.same(fake.writes().slice(n).map((w) => w.params), [{ delete: 'nameserver,tags' }]);
  t.notOk('tags' in fake.containers.get(101)!.config);

  const grown = await run(args({ nameserver: [], tags: [], rootfs_size: 16 }));
  t.match(grown.msg, /rootfs grows to 16G/);
  t.match(fake.writes().at(-1), { method: 'PUT', path: '/nodes/pve/lxc/101/resize', params: { disk: 'rootfs', size: '16G' } }, 'resize, not config');
  t.match(String(fake.containers.get(101)!.config.rootfs), /size=16G/);

  await t.rejects(run(args({ nameserver: [], tags: [], rootfs_size: 4 })), { message: /rootfs is 16G, the task wants 4G; Proxmox can only grow a disk/ });
  await t.rejects(run(args({ nameserver: [], tags: [], rootfs_size: 16, unprivileged: false })), { message: /unprivileged .* remove the container \(state: absent\) and create it again/ });
});

t.test('stopped and absent', async (t) => {
  const { fake, args } = await startFake(t);
  await run(args({ state: 'started', wait_for_ssh: false }));
  t.equal(fake.containers.get(101)?.status, 'running');
  const stopped = await run(args({ state: 'stopped' }));
  t.match(stopped.msg, /shut down/);
  t.equal(fake.containers.get(101)?.status, 'stopped');
  t.match(fake.writes().at(-1), { method: 'POST', path: '/nodes/pve/lxc/101/status/shutdown', params: { forceStop: '1' } });
  t.equal((await run(args({ state: 'stopped' }))).changed, false);

  await run(args({ state: 'started', wait_for_ssh: false }));
  const gone = await run(args({ state: 'absent' }));
  t.match(gone.msg, /CT 101 \(lb-01\) on pve stopped and destroyed/);
  t.same(fake.writes().slice(-2).map((w) => `${w.method} ${w.path}`), ['POST /nodes/pve/lxc/101/status/stop', 'DELETE /nodes/pve/lxc/101']);
  t.equal(fake.writes().at(-1)!.params.purge, '1');
  t.notOk(fake.containers.has(101));
  const again = await run(args({ state: 'absent' }));
  t.equal(again.changed, false);
  t.match(again.msg, /is absent/);
});

t.test('a failing task fails the module with the task exit status', async (t) => {
  const { fake, args } = await startFake(t);
  await t.rejects(run(args({ ostemplate: 'local:vztmpl/missing.tar.zst' })), {
    constructor: TaskError,
    message: /create of CT 101 \(lb-01\) failed: Proxmox task UPID:pve:[0-9A-F]+:[0-9A-F]+:[0-9A-F]+:vzcreate:101:lbrun@pve!provision: ended with: unable to create CT 101 - volume 'local:vztmpl\/missing.tar.zst' does not exist/,
  });
  await run(args());
  fake.failNextTask.set('vzstart', 'startup for container \'101\' failed');
  await t.rejects(run(args({ state: 'started' })), { message: /start of CT 101 failed: .* ended with: startup for container '101' failed/ });
});

t.test('API errors are reported with the HTTP reason and the field errors', async (t) => {
  const { fake, args } = await startFake(t);
  await t.rejects(run(args({ api_token_secret: 'wrong-secret' })), {
    message: /Proxmox API GET \/nodes\/pve\/lxc: HTTP 401 authentication failure - check api_token_id and api_token_secret/,
  });
  fake.deny.add('VM.Allocate');
  await t.rejects(run(args()), { message: /HTTP 403 Permission check failed \(\/vms\/101, VM.Allocate\)/ });
  fake.deny.clear();
  await t.rejects(run(args({ node: 'pve9' })), { message: /HTTP 400 Parameter verification failed\. \(node: no such cluster node 'pve9'\)/ });
  // someone else's container with our vmid: refuse to touch it
  await run(args({ hostname: 'other' }));
  await t.rejects(run(args()), { message: /vmid 101 on pve is container 'other', not 'lb-01': refusing/ });
  // a container with our name under another vmid (made by Terraform): never create a twin
  await run(args({ vmid: 105 }));
  await t.rejects(run(args({ vmid: 106 })), { message: /vmid 106 does not exist on pve, but container 105 is named 'lb-01': set vmid to 105/ });
});

t.test('TLS is verified: fails without ca_file, passes with it', async (t) => {
  const { args } = await startFake(t);
  await t.rejects(run(args({ ca_file: undefined })), { message: /TLS certificate verification failed .*set ca_file/ });
  t.equal((await run(args())).changed, true);
  t.equal((await run(args({ ca_file: undefined, validate_certs: false }))).changed, false, 'validate_certs: false skips verification');
});

t.test('check mode sends no POST, PUT or DELETE and says what would change', async (t) => {
  const { fake, args } = await startFake(t);
  await t.rejects(run(args({ ostemplate: undefined }), { check: true }), { message: /CT lb-01 does not exist and ostemplate is not set: cannot create it/ });
  const create = await run(args(), { check: true });
  t.equal(create.changed, true);
  t.match(create.msg, /would create CT 101 \(lb-01\) on pve/);
  await run(args());
  const change = await run(args({ memory: 2048, state: 'started' }), { check: true });
  t.match(change.msg, /would change CT 101 \(lb-01\) on pve: memory 512 -> 2048; started/);
  const gone = await run(args({ state: 'absent' }), { check: true });
  t.match(gone.msg, /would destroy CT 101/);
  t.equal(fake.writes().length, 1, 'only the one real create wrote');
  t.equal(fake.containers.get(101)?.config.memory, 512);
});

t.test('without vmid: found by hostname, created with the next free id', async (t) => {
  const { fake, args } = await startFake(t);
  await run(args({ vmid: undefined, hostname: 'lb-02' }));
  t.ok(fake.containers.has(100), 'nextid 100 was used');
  t.equal((await run(args({ vmid: undefined, hostname: 'lb-02' }))).changed, false, 'found again by its hostname');
});

t.test('wait_for_ssh: started waits for TCP 22 on the address and fails clearly when nothing answers', async (t) => {
  const { args } = await startFake(t);
  await t.rejects(run(args({ state: 'started', wait_for_ssh_timeout: 1 })), { message: /SSH did not answer on 127\.0\.0\.2:22 within 1 s/ });
});

t.test('the token secret appears in no message, error or diff', async (t) => {
  const { fake, args } = await startFake(t);
  const texts: string[] = [];
  const collect = async (p: Promise<{ msg: string; plan: PlanResult }>) => {
    try {
      const r = await p;
      texts.push(r.msg, JSON.stringify(r.plan));
    } catch (err) {
      texts.push(String((err as Error).message), JSON.stringify(err), String((err as Error).stack));
    }
  };
  await collect(run(args()));
  await collect(run(args({ memory: 1024 })));
  await collect(run(args({ ca_file: undefined })));
  fake.failNextTask.set('vzstart', `start failed; token ${SECRET} leaked by the server`);
  await collect(run(args({ state: 'started' })));
  t.ok(texts.length >= 4);
  for (const s of texts) t.notMatch(s, SECRET);
  t.match(texts.join('\n'), /\*\*\*\*\*\*\*\*/, 'the echoed secret was masked');
  t.ok(fake.requests.every((r) => r.authorization === `PVEAPIToken=${TOKEN_ID}=${SECRET}`), 'the header carried the token');
});
