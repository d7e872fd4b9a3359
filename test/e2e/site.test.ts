/**
 * site.yaml on the lab, through the CLI: first converge from bare hosts, then idempotence, a
 * truthful --check, --fail-on-change that changes nothing, --tags running one role, and the VRRP
 * password kept out of every output.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';
import { labUp, removeHost } from '../../src/lab/index.js';
import { labExec } from '../lab/helpers.js';
import { recap, REPO_ROOT } from '../support/run-cli.js';
import { explain, LAB_HOSTS, labSession, on, site, VRRP_PASS, waitForVip } from './lab-site.js';

t.setTimeout(20 * 60_000);

const FILES = ['/etc/haproxy/haproxy.cfg', '/etc/keepalived/keepalived.conf', '/etc/sysctl.d/60-lbrun.conf'];

async function hashes(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of LAB_HOSTS) out[h] = await on(h, `sha256sum ${FILES.join(' ')}`);
  return out;
}

/** PIDs of every haproxy and keepalived process per host: a reload or restart changes them. */
async function servicePids(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of LAB_HOSTS) out[h] = await on(h, 'pidof haproxy; pidof keepalived');
  return out;
}

async function haproxyInstalled(host: string): Promise<boolean> {
  return (await labExec(host, 'dpkg-query -W -f=\'${db:Status-Status}\' haproxy')).stdout.trim() === 'installed';
}

t.before(async () => {
  await labSession({ converge: false });
  // the first converge starts from bare hosts: recreate any host an earlier run provisioned
  const provisioned = [];
  for (const h of LAB_HOSTS) if (await haproxyInstalled(h)) provisioned.push(h);
  if (provisioned.length) {
    t.comment(`recreating provisioned lab hosts: ${provisioned.join(', ')}`);
    for (const h of provisioned) await removeHost(h);
    await labUp();
  }
});

t.test('the first run converges bare hosts: packages, valid configs, services, VIP on lb-01', async (t) => {
  for (const h of LAB_HOSTS) t.notOk(await haproxyInstalled(h), `${h} starts without haproxy`);
  const r = await site();
  t.comment(`first converge: ${(r.durationMs / 1000).toFixed(1)} s`);
  t.equal(r.code, 0, explain(r));
  const counts = recap(r);
  for (const h of LAB_HOSTS) {
    t.equal(counts[h]?.failed, 0, `${h}: no failed task`);
    t.equal(counts[h]?.unreachable, 0, `${h}: reachable`);
    t.ok(counts[h]?.changed > 0, `${h}: changed ${counts[h]?.changed} things`);
    const status = await on(h, "dpkg-query -W -f='${Package} ${db:Status-Status}\\n' haproxy keepalived curl psmisc");
    t.same(status.trim().split('\n').sort(), ['curl installed', 'haproxy installed', 'keepalived installed', 'psmisc installed'], `${h}: packages`);
    t.equal((await labExec(h, 'haproxy -c -f /etc/haproxy/haproxy.cfg')).code, 0, `${h}: haproxy.cfg is valid`);
    t.equal((await labExec(h, 'keepalived -t -f /etc/keepalived/keepalived.conf')).code, 0, `${h}: keepalived.conf is valid`);
    t.equal((await labExec(h, 'systemctl is-active haproxy keepalived')).stdout, 'active\nactive\n', `${h}: services active`);
    t.equal((await labExec(h, 'systemctl is-enabled haproxy keepalived')).stdout, 'enabled\nenabled\n', `${h}: services enabled`);
    t.equal((await on(h, 'sysctl -n net.ipv4.ip_nonlocal_bind')).trim(), '1', `${h}: ip_nonlocal_bind`);
    t.match(await on(h, 'cat /etc/keepalived/keepalived.conf'), `auth_pass ${VRRP_PASS}`, `${h}: VRRP auth from the environment`);
  }
  t.notMatch(r.stdout + r.stderr, VRRP_PASS, 'the VRRP password appears in no output');
  const vip = await waitForVip('lb-01');
  t.comment(`VIP on lb-01 ${vip.ms} ms after the run`);
});

t.test('the second run changes nothing', async (t) => {
  const r = await site();
  t.equal(r.code, 0, explain(r));
  const counts = recap(r);
  for (const h of LAB_HOSTS) t.equal(counts[h]?.changed, 0, `${h}: changed=0`);
  t.equal(r.events.filter((e) => e.event === 'handler_notified').length, 0, 'no handler notified');
  t.comment(`converged run: ${(r.durationMs / 1000).toFixed(1)} s`);
});

t.test('--check on the converged lab reports changed=0 and exits 0', async (t) => {
  const r = await site(['--check']);
  t.equal(r.code, 0, explain(r));
  const counts = recap(r);
  for (const h of LAB_HOSTS) t.equal(counts[h]?.changed, 0, `${h}: changed=0`);
});

t.test('--check --fail-on-change after a variable change exits 5 and changes nothing', async (t) => {
  const before = await hashes();
  const pidsBefore = await servicePids();
  const r = await site(['--check', '--diff', '--fail-on-change', '-e', 'haproxy_timeout_connect=3s', '-e', 'keepalived_vip_prefix=25']);
  t.equal(r.code, 5, explain(r));
  const changed = r.events.filter((e) => e.event === 'host_result' && e.status === 'changed');
  for (const h of LAB_HOSTS) {
    const cfg = changed.find((e) => e.host === h && e.task === 'haproxy : Write /etc/haproxy/haproxy.cfg');
    t.ok(cfg, `${h}: haproxy.cfg would change`);
    const patch = (cfg?.diff as Array<{ patch: string }> | undefined)?.map((d) => d.patch).join('\n') ?? '';
    t.match(patch, /^-\s+timeout connect 2s$/m, `${h}: diff shows the old line`);
    t.match(patch, /^\+\s+timeout connect 3s$/m, `${h}: diff shows the new line`);
    const ka = changed.find((e) => e.host === h && e.task === 'keepalived : Write /etc/keepalived/keepalived.conf');
    const kaPatch = (ka?.diff as Array<{ patch: string }> | undefined)?.map((d) => d.patch).join('\n') ?? '';
    t.match(kaPatch, /^\+\s+10\.213\.0\.210\/25 dev eth0$/m, `${h}: keepalived.conf diff shows the new VIP prefix`);
    t.match(kaPatch, /auth_pass \*{8}/, `${h}: the diff's context shows the password redacted`);
  }
  t.notMatch(r.stdout + r.stderr, VRRP_PASS, 'the VRRP password appears in no output');
  t.same(await hashes(), before, 'no file changed on any host');
  t.same(await servicePids(), pidsBefore, 'no service was reloaded or restarted');
});

t.test('--tags haproxy runs the haproxy role only', async (t) => {
  // every task of the file, those inside block/rescue/always included
  type Entry = { name?: string; block?: Entry[]; rescue?: Entry[]; always?: Entry[] };
  const names = (entries: Entry[]): string[] =>
    entries.flatMap((x) => [...(x.name ? [x.name] : []), ...names([...(x.block ?? []), ...(x.rescue ?? []), ...(x.always ?? [])])]);
  const roleTasks = (role: string, file: string): string[] =>
    names(parse(readFileSync(`${REPO_ROOT}roles/${role}/${file}`, 'utf8')) as Entry[]).map((n) => `${role} : ${n}`);
  const haproxyTasks = [...roleTasks('haproxy', 'tasks.yaml'), ...roleTasks('haproxy', 'handlers.yaml')];
  const r = await site(['--tags', 'haproxy']);
  t.equal(r.code, 0, explain(r));
  const ran = [...new Set(r.events.filter((e) => e.event === 'task_start' || e.event === 'host_result').map((e) => e.task as string))];
  t.ok(ran.length > 0, 'some tasks ran');
  t.same(ran.filter((name) => !haproxyTasks.includes(name)), [], 'every task that ran is a haproxy role task');
  t.ok(ran.includes('haproxy : Write /etc/haproxy/haproxy.cfg'), 'the haproxy config task ran');
  const counts = recap(r);
  for (const h of LAB_HOSTS) t.equal(counts[h]?.changed, 0, `${h}: changed=0`);
});

t.test('a non-root check user: created by common, and keepalived 2.2.7\'s config test is handled on the nodes', async (t) => {
  const r = await site(['-e', 'keepalived_script_user=keepalived_script']);
  t.equal(r.code, 0, explain(r));
  for (const h of LAB_HOSTS) {
    t.match(await on(h, 'getent passwd keepalived_script'), /^keepalived_script:.*:\/usr\/sbin\/nologin$/m, `${h}: system user created`);
    t.match(await on(h, 'cat /etc/keepalived/keepalived.conf'), /^\s+script_user keepalived_script$/m, `${h}: config uses it`);
    const raw = await labExec(h, 'keepalived -t -f /etc/keepalived/keepalived.conf');
    const wrapped = await labExec(h, '/usr/local/sbin/lbrun-keepalived-config-test /etc/keepalived/keepalived.conf');
    t.comment(`${h}: keepalived -t exits ${raw.code}; the wrapper exits ${wrapped.code}`);
    t.equal(wrapped.code, 0, `${h}: the role's validator accepts the live config`);
    t.equal((await labExec(h, 'systemctl is-active keepalived')).stdout.trim(), 'active', `${h}: keepalived runs`);
  }
  await waitForVip('lb-01');
  const back = await site();
  t.equal(back.code, 0, `back to script_user root: ${explain(back)}`);
  for (const h of LAB_HOSTS) {
    t.match(await on(h, 'cat /etc/keepalived/keepalived.conf'), /^\s+script_user root$/m, `${h}: root again`);
  }
  await waitForVip('lb-01');
});
