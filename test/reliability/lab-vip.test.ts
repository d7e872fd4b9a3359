/**
 * The VIP holds. While a client sends requests through the VIP (test/support/vip-client.ts):
 *  - a rolling site.yaml change that reloads HAProxy AND keepalived on all three nodes, and its
 *    revert, lose no request;
 *  - a change that fails on lb-01 (a bad HAProxy value: `haproxy -c` refuses the new file) halts the
 *    rolling play before lb-02 and lb-03 are touched (no task event for them, their files
 *    byte-identical), lb-01 keeps its old haproxy.cfg byte for byte, no service is reloaded or
 *    restarted anywhere (MainPID and timestamps unchanged), no temp file is left, no request is lost;
 *  - afterwards the tier converges again (the second re-run changes nothing).
 */
import t from 'tap';
import { vipHolder } from '../lab/helpers.js';
import { recap } from '../support/run-cli.js';
import { startVipClient, type VipClientResult } from '../support/vip-client.js';
import { explain, LAB_HOSTS, labSession, site, VIP } from '../e2e/lab-site.js';
import { hashOf, journalCursor, quietJournalCursor, serviceEvents, serviceStamp, tempFiles } from './lab-drill.js';
import { followVip, moves, overlaps } from './lab-timing.js';

t.setTimeout(30 * 60_000);

const FILES = ['/etc/haproxy/haproxy.cfg', '/etc/keepalived/keepalived.conf'];
const figures = { runs: 0, requests: 0, failed: 0 };

function failures(r: VipClientResult): string {
  return r.requests.filter((q) => !q.ok).slice(0, 5).map((q) => `at ${q.at} ms: ${q.error}`).join('; ');
}

async function underLoad(args: string[]) {
  const client = startVipClient({ host: VIP, intervalMs: 10, maxDurationMs: 10 * 60_000, timeoutMs: 3000 });
  const follow = followVip(LAB_HOSTS);
  const r = await site(args);
  const holders = await follow.stop();
  const load = await client.stop();
  figures.runs++;
  figures.requests += load.ok + load.failed;
  figures.failed += load.failed;
  return { r, load, holders };
}

t.before(async () => {
  await labSession({ converge: true });
});

t.test('a rolling change reloading haproxy and keepalived on every node loses no request', async (t) => {
  for (const [label, extra] of [
    ['change', ['-e', 'haproxy_timeout_tunnel=3h', '-e', 'keepalived_check_interval=3']],
    ['revert', []],
  ] as const) {
    const since = Object.fromEntries(await Promise.all(LAB_HOSTS.map(async (h) => [h, await journalCursor(h)] as const)));
    const stamps = Object.fromEntries(await Promise.all(LAB_HOSTS.map(async (h) => [h, await serviceStamp(h, 'haproxy')] as const)));
    const { r, load, holders } = await underLoad([...extra]);
    t.equal(r.code, 0, `${label}: ${explain(r)}`);
    // a reload keeps the VIP where it is; a restart (or a stop) hands it over and back, and each
    // move cuts every long-lived connection (kubectl watch, exec, logs -f)
    t.equal(moves(holders), 0, `${label}: the VIP never moved during the run (${holders.map((h) => h.holder).join(' > ')})`);
    t.same(overlaps(holders), [], `${label}: never two holders at once`);
    for (const handler of ['haproxy : reload haproxy', 'keepalived : reload keepalived']) {
      const done = r.events.filter((e) => e.event === 'host_result' && e.task === handler && e.status === 'changed').map((e) => e.host);
      t.same(done, LAB_HOSTS, `${label}: ${handler} on each node, one after another`);
    }
    // the reload detectors used by the next test see these reloads
    for (const h of LAB_HOSTS) {
      t.not(await serviceStamp(h, 'haproxy'), stamps[h], `${label}: ${h} haproxy worker replaced`);
      for (const unit of ['haproxy', 'keepalived']) t.ok((await serviceEvents(h, unit, since[h])).length > 0, `${label}: ${h} ${unit} reload in the journal`);
    }
    t.comment(`FIGURE vip_rolling_${label} requests=${load.ok + load.failed} failed=${load.failed} run_s=${(r.durationMs / 1000).toFixed(1)}`);
    t.equal(load.failed, 0, `${label}: no failed request (${failures(load)})`);
    t.ok(load.ok > 50, `${label}: ${load.ok} requests answered during the run`);
    t.equal(await vipHolder(), 'lb-01', `${label}: the VIP stayed on lb-01`);
  }
});

t.test('a change that fails on lb-01 halts the roll before lb-02 and lb-03; nothing restarted', async (t) => {
  const hashes: Record<string, string> = {};
  const stamps: Record<string, string> = {};
  const since: Record<string, string> = {};
  for (const h of LAB_HOSTS) {
    since[h] = await quietJournalCursor(h, ['haproxy', 'keepalived']);
    for (const f of FILES) hashes[`${h}:${f}`] = await hashOf(h, f);
    for (const unit of ['haproxy', 'keepalived']) stamps[`${h}:${unit}`] = await serviceStamp(h, unit);
  }
  const { r, load } = await underLoad(['-e', 'haproxy_timeout_connect=2parsecs']);
  t.equal(r.code, 2, `exit 2 (a task failed)\n${explain(r)}`);
  const failed = r.events.filter((e) => e.event === 'host_result' && e.status === 'failed');
  t.same(failed.map((e) => `${e.host} ${e.task}`), ['lb-01 haproxy : Write /etc/haproxy/haproxy.cfg'], 'only the haproxy.cfg write on lb-01 failed');
  t.match(String(failed[0]?.msg), /validation of \/etc\/haproxy\/haproxy\.cfg failed/, 'because the validation refused it');
  const touched = new Set(r.events.filter((e) => e.event === 'host_result').map((e) => e.host));
  t.same([...touched], ['lb-01'], 'no task ran on lb-02 or lb-03');
  const counts = recap(r);
  for (const h of ['lb-02', 'lb-03']) t.equal((counts[h]?.ok ?? 0) + (counts[h]?.changed ?? 0), 0, `${h}: nothing in the recap`);
  for (const [key, before] of Object.entries(hashes)) t.equal(await hashOf(...(key.split(':') as [string, string])), before, `${key} byte-identical`);
  for (const [key, before] of Object.entries(stamps)) {
    const [h, unit] = key.split(':') as [string, string];
    t.equal(await serviceStamp(h, unit), before, `${key}: not restarted or reloaded (${before.replace(/\n/g, ', ')})`);
    t.same(await serviceEvents(h, unit, since[h]), [], `${key}: no reload, stop or start in the journal`);
  }
  for (const h of LAB_HOSTS) t.same(await tempFiles(h), [], `${h}: no temp file`);
  t.comment(`FIGURE vip_failed_change requests=${load.ok + load.failed} failed=${load.failed} hosts_touched_after_failure=${touched.size - 1}`);
  t.equal(load.failed, 0, `no failed request (${failures(load)})`);
  t.equal(await vipHolder(), 'lb-01', 'the VIP stayed on lb-01');

  const first = await site();
  const second = await site();
  t.equal(first.code, 0, explain(first));
  t.equal(Object.values(recap(second)).reduce((n, c) => n + c.changed, 0), 0, 'the second re-run changes nothing');
});

t.test('figures', async (t) => {
  t.comment(`FIGURE vip_runs=${figures.runs} vip_requests=${figures.requests} vip_requests_failed=${figures.failed}`);
  t.equal(figures.failed, 0);
});
