/**
 * What the tier is for, on the converged lab: traffic through the VIP reaches the stand-in API
 * servers and survives a dead backend; the VIP fails over lb-01 -> lb-02 -> lb-03 and comes back;
 * a rolling config change under load drops no request.
 */
import t from 'tap';
import { labExec, startBackend, stopBackend, vipHolder } from '../lab/helpers.js';
import { recap } from '../support/run-cli.js';
import { runVipClient, startVipClient, type VipClientResult } from '../support/vip-client.js';
import { explain, LAB_HOSTS, labSession, on, serverStatus, site, VIP, waitForVip, waitUntil } from './lab-site.js';

t.setTimeout(20 * 60_000);

const BACKENDS = ['k3s-lab-cp-01', 'k3s-lab-cp-02', 'k3s-lab-cp-03'];

function failures(r: VipClientResult): string {
  return r.requests.filter((q) => !q.ok).slice(0, 5).map((q) => `at ${q.at} ms: ${q.error}`).join('; ');
}

t.before(async () => {
  await labSession({ converge: true });
});
t.teardown(async () => {
  // leave the lab as found: every backend and every haproxy running
  for (const n of [1, 2, 3]) await startBackend(n).catch(() => {});
  for (const h of LAB_HOSTS) await labExec(h, 'systemctl start haproxy').catch(() => {});
});

t.test('traffic through the VIP reaches every stand-in; a stopped backend leaves the rotation', async (t) => {
  const before = await runVipClient({ host: VIP, count: 60, intervalMs: 5 });
  t.equal(before.failed, 0, `no failed request (${failures(before)})`);
  t.same(Object.keys(before.byBackend).sort(), BACKENDS, `round robin over the three stand-ins: ${JSON.stringify(before.byBackend)}`);

  const holder = (await vipHolder()) as string;
  const during = startVipClient({ host: VIP, intervalMs: 20, maxDurationMs: 60_000 });
  await stopBackend(2);
  const detected = await waitUntil(() => serverStatus(holder, 'k3s-lab-cp-02'), (s) => s.startsWith('DOWN'), 30_000, 200);
  const whileDetecting = await during.stop();
  t.comment(`k3s-lab-cp-02 marked DOWN by ${holder} after ${detected.ms} ms; ${whileDetecting.ok} ok / ${whileDetecting.failed} failed requests meanwhile`);

  const after = await runVipClient({ host: VIP, count: 60, intervalMs: 5 });
  t.equal(after.failed, 0, `no failed request after detection (${failures(after)})`);
  t.notOk(after.byBackend['k3s-lab-cp-02'], 'the stopped backend answers nothing');
  t.same(Object.keys(after.byBackend).sort(), ['k3s-lab-cp-01', 'k3s-lab-cp-03'], 'the others share the load');

  await startBackend(2);
  const back = await waitUntil(() => serverStatus(holder, 'k3s-lab-cp-02'), (s) => s === 'UP', 30_000, 200);
  t.comment(`k3s-lab-cp-02 back UP after ${back.ms} ms`);
});

t.test('failover: lb-01 -> lb-02 -> lb-03 as haproxy stops, back to lb-01 when it returns', async (t) => {
  t.equal(await vipHolder(), 'lb-01', 'VIP starts on lb-01');
  const client = startVipClient({ host: VIP, intervalMs: 20, maxDurationMs: 180_000, timeoutMs: 2000 });

  await on('lb-01', 'systemctl stop haproxy');
  const to2 = await waitForVip('lb-02');
  t.comment(`haproxy stopped on lb-01: VIP on lb-02 after ${to2.ms} ms`);

  await on('lb-02', 'systemctl stop haproxy');
  const to3 = await waitForVip('lb-03');
  t.comment(`haproxy stopped on lb-02: VIP on lb-03 after ${to3.ms} ms`);

  await on('lb-02', 'systemctl start haproxy');
  const back2 = await waitForVip('lb-02');
  t.comment(`haproxy back on lb-02: VIP on lb-02 after ${back2.ms} ms`);

  await on('lb-01', 'systemctl start haproxy');
  const back1 = await waitForVip('lb-01');
  t.comment(`haproxy back on lb-01: VIP on lb-01 after ${back1.ms} ms`);

  const r = await client.stop();
  t.comment(`through the four moves: ${r.ok} requests ok, ${r.failed} failed (a VIP move drops in-flight connects)`);
  const final = await runVipClient({ host: VIP, count: 30, intervalMs: 5 });
  t.equal(final.failed, 0, `traffic flows through lb-01 again (${failures(final)})`);
});

t.test('rolling change under load: every node reloads haproxy, no request fails', async (t) => {
  for (const [label, extra] of [
    ['change haproxy_timeout_tunnel to 2h', ['-e', 'haproxy_timeout_tunnel=2h']],
    ['change it back', []],
  ] as const) {
    const client = startVipClient({ host: VIP, intervalMs: 10, maxDurationMs: 10 * 60_000 });
    const r = await site([...extra]);
    const load = await client.stop();
    t.equal(r.code, 0, `${label}: ${explain(r)}`);
    const counts = recap(r);
    const reloaded = r.events.filter((e) => e.event === 'host_result' && e.task === 'haproxy : reload haproxy' && e.status === 'changed');
    t.same(reloaded.map((e) => e.host), LAB_HOSTS, `${label}: haproxy reloaded on each node, one after another`);
    for (const h of LAB_HOSTS) t.equal(counts[h]?.failed, 0, `${h}: no failed task`);
    t.comment(`${label}: ${load.ok + load.failed} requests during the ${(r.durationMs / 1000).toFixed(1)} s run, ${load.failed} failed`);
    t.equal(load.failed, 0, `${label}: no failed request (${failures(load)})`);
    t.equal(await vipHolder(), 'lb-01', `${label}: the VIP stayed on lb-01`);
  }
  const tunnel = await on('lb-01', "grep -E '^\\s+timeout tunnel' /etc/haproxy/haproxy.cfg");
  t.match(tunnel, /timeout tunnel 1h/, 'the lab is back on its own config');
});
