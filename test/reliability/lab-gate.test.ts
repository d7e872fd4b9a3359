/**
 * The gate between nodes (docs/roles.md, "How a change rolls out"), on the lab, under a continuous
 * HTTPS load through the VIP:
 *  - a wrong backend port (6449) and a wrong backend address each stop at lb-01 (the pre-flight
 *    asks the new backends from the node before haproxy.cfg is written): exit 2 with a message
 *    naming lb-01 and what failed, lb-01's haproxy.cfg byte for byte as before, lb-02/03 untouched
 *    (no task ran there, files identical), 0 failed requests through the VIP;
 *  - a change the pre-flight cannot see (the frontend bound to loopback only) fails the gate after
 *    lb-01's reload: the rescue puts the previous haproxy.cfg back (byte for byte), reloads it, and
 *    the run stops before lb-02 with exit 2 and a message saying it was restored;
 *  - a change of the VRRP transport (the e2e password off: VRRPv2 to VRRPv3) is refused at lb-01
 *    before keepalived.conf is written, in --check too;
 *  - a keepalived change that leaves two VIP holders (lb-01's adverts sent to a wrong peer) fails
 *    the keepalived gate: keepalived.conf restored, the run stops, one holder again afterwards.
 */
import t, { type Test } from 'tap';
import { recap } from '../support/run-cli.js';
import { lossProblems, startVipClient, type VipClientResult } from '../support/vip-client.js';
import { explain, LAB_HOSTS, labSession, on, site, VIP, waitForVip } from '../e2e/lab-site.js';
import { hashOf, tempFiles, varsFile } from './lab-drill.js';
import { vipHolder } from '../lab/helpers.js';

t.setTimeout(30 * 60_000); // includes waiting for the lab (another holder may run a while)

const FILES = ['/etc/haproxy/haproxy.cfg', '/etc/keepalived/keepalived.conf'];
const figures: string[] = [];

function failures(r: VipClientResult): string {
  return r.requests.filter((q) => !q.ok).slice(0, 5).map((q) => `at ${q.at} ms: ${q.error}`).join('; ');
}

async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of LAB_HOSTS) for (const f of FILES) out[`${h}:${f}`] = await hashOf(h, f);
  return out;
}

/** Run site.yaml with ARGS under load; the run must stop at lb-01 with exit 2. */
async function stopsAtLb01(t: Test, label: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const before = await snapshot();
  const loadStart = Date.now();
  const load = startVipClient({ host: VIP, intervalMs: 10, maxDurationMs: 5 * 60_000, timeoutMs: 3000 });
  const windowStartMs = Date.now() - loadStart;
  const r = await site(args, env);
  const windowEndMs = Date.now() - loadStart;
  const result = await load.stop();
  // did the load cover the whole run, at a real rate, with no answer later than the stall bound?
  const loss = lossProblems(result, { windowStartMs, windowEndMs, minRate: 5, maxStallMs: 1000 });
  const lossSummary = `${label}: ${result.ok} answers over ${result.durationMs} ms (${result.rate.toFixed(1)}/s), longest gap ${result.longestGapMs} ms (net of own freezes ${result.longestGapNetMs} ms)`;
  t.equal(r.code, 2, `${label}: exit 2\n${explain(r)}`);
  const failed = r.events.filter((e) => e.event === 'host_result' && e.status === 'failed');
  t.same([...new Set(failed.map((e) => e.host))], ['lb-01'], `${label}: only lb-01 failed`);
  const touched = new Set(r.events.filter((e) => e.event === 'host_result').map((e) => e.host));
  t.same([...touched], ['lb-01'], `${label}: no task ran on lb-02 or lb-03`);
  const counts = recap(r);
  for (const h of ['lb-02', 'lb-03']) t.equal((counts[h]?.ok ?? 0) + (counts[h]?.changed ?? 0), 0, `${h}: nothing in the recap`);
  const after = await snapshot();
  for (const key of Object.keys(before)) t.equal(after[key], before[key], `${label}: ${key} byte for byte as before`);
  for (const h of LAB_HOSTS) t.same((await tempFiles(h)).concat(await backups(h)), [], `${h}: no temp or backup file left`);
  figures.push(`${label.replace(/\W+/g, '_')}: requests=${result.ok + result.failed} failed=${result.failed} longest_gap_ms=${result.longestGapMs} run_s=${(r.durationMs / 1000).toFixed(1)}`);
  t.comment(`FIGURE gate ${figures.at(-1)}`);
  return { r, failed, load: result, loss, lossSummary };
}

async function backups(host: string): Promise<string[]> {
  const out = await on(host, "find /etc/haproxy /etc/keepalived -name '*~' 2>/dev/null; true");
  return out.split('\n').filter(Boolean);
}

t.before(async () => {
  await labSession({ converge: true });
});
// no converge at the end: every case leaves the files byte for byte as they were

for (const [label, backends] of [
  ['wrong backend port 6449', [201, 202, 203].map((n) => ({ name: `k3s-lab-cp-0${n - 200}`, address: `10.213.0.${n}`, port: 6449 }))],
  ['wrong backend address', [221, 222, 223].map((n) => ({ name: `k3s-lab-cp-0${n - 220}`, address: `10.213.0.${n}`, port: 6443 }))],
] as const) {
  t.test(`${label}: stops at lb-01 before haproxy.cfg is written; 0 failed requests`, async (t) => {
    const { failed, load, loss, lossSummary } = await stopsAtLb01(t, label, ['-e', `@${varsFile(label.replace(/\W+/g, '-'), { haproxy_backends: backends })}`]);
    t.same(loss, [], lossSummary);
    t.match(failed[0]?.task, /Pre-flight/, `${label}: the pre-flight refused it`);
    t.match(`${failed[0]?.msg ?? ''}`, /.+/, 'with a message');
    t.equal(load.failed, 0, `${label}: no failed request through the VIP (${failures(load)})`);
    t.equal(await vipHolder(), 'lb-01', 'the VIP stayed on lb-01');
  });
}

t.test('a frontend bound to loopback: the gate fails after the reload, the previous haproxy.cfg goes back', async (t) => {
  const { r, failed } = await stopsAtLb01(t, 'frontend on loopback', ['-e', 'haproxy_frontend_bind=127.0.0.1']);
  const last = failed.at(-1);
  t.equal(last?.task, 'haproxy : Stop the roll before the next node', 'the rescue stopped the roll');
  t.match(String(last?.msg), /lb-01: the haproxy gate failed at "haproxy : Gate: this node serves the K3s API/, 'the message names the node and the failed check');
  t.match(String(last?.msg), /previous haproxy\.cfg was put back, checked and reloaded/, 'and says it was restored');
  const reloads = r.events.filter((e) => e.event === 'host_result' && e.task === 'haproxy : reload haproxy' && e.status === 'changed');
  t.equal(reloads.length, 1, 'the bad config was reloaded once on lb-01, then the rescue reloaded the old one');
  t.match(await on('lb-01', "ss -Hltn 'sport = :6443'"), /\*:6443|0\.0\.0\.0:6443/, 'lb-01 listens on *:6443 again');
  await waitForVip('lb-01', 30_000);
});

t.test('a change of the VRRP transport (VRRPv2 with a password to VRRPv3 without): refused at lb-01 before keepalived.conf is written', async (t) => {
  const pids = await on('lb-01', 'pidof keepalived');
  const { failed } = await stopsAtLb01(t, 'VRRP transport change', [], { LBRUN_VRRP_AUTH_PASS: '' });
  t.equal(failed.length, 1, 'one failed task');
  t.equal(failed[0]?.task, 'keepalived : Refuse a change of the VRRP transport while the gate is on', 'the transport check refused it');
  t.match(String(failed[0]?.msg), /lb-01: this run changes the VRRP transport \(vrrp_version=2 virtual_router_id=51 auth=PASS unicast advert_int=1 now, vrrp_version=3 virtual_router_id=51 auth=none unicast wanted\)/, 'the message says what changes, from what to what');
  t.match(String(failed[0]?.msg), /Nothing was written.*-e keepalived_gate=false/, 'says nothing was written and how to roll it deliberately');
  t.equal(await on('lb-01', 'pidof keepalived'), pids, 'keepalived on lb-01 was not reloaded or restarted');
  t.equal(await vipHolder(), 'lb-01', 'the VIP stayed on lb-01');
});

t.test('the transport check in --check: the dry run fails as the real run would', async (t) => {
  const r = await site(['--check'], { LBRUN_VRRP_AUTH_PASS: '' });
  t.equal(r.code, 2, explain(r));
  const failed = r.events.filter((e) => e.event === 'host_result' && e.status === 'failed');
  t.same(failed.map((e) => `${e.host} ${e.task}`), ['lb-01 keepalived : Refuse a change of the VRRP transport while the gate is on'], 'refused at lb-01 by the transport check');
});

t.test('a keepalived change leaving two VIP holders (lb-01 sends its adverts nowhere): the keepalived gate restores keepalived.conf', async (t) => {
  const { failed } = await stopsAtLb01(t, 'lb-01 adverts to nobody', ['-e', `@${varsFile('unicast-peers', { keepalived_unicast_peers: ['10.213.0.99'] })}`]);
  const last = failed.at(-1);
  t.equal(last?.task, 'keepalived : Stop the roll before the next node', 'the rescue stopped the roll');
  t.match(String(last?.msg), /lb-01: the keepalived gate failed .*\b2 VIP holders/, 'two holders reported');
  t.match(String(last?.msg), /previous keepalived\.conf was put back/, 'and restored');
  const holder = await waitForVip('lb-01', 30_000);
  t.comment(`one holder (lb-01) again ${holder.ms} ms after the run`);
});

t.test('figures', async (t) => {
  t.comment(`FIGURE gate_cases ${figures.join(' | ')}`);
  t.pass();
});
