/**
 * Fast, stable failover on the lab (inventory/lab.yaml without a VRRP password: VRRPv3, adverts
 * every 0.3 s, preempt_delay 5 s), each figure with a threshold so the test fails when a promise
 * breaks (docs/roles.md, "Measured on the lab"):
 *  - `systemctl stop haproxy` on lb-01: the VIP on lb-02 within 1 s (the unit's drop-in tells
 *    keepalived at once; a FAULT master hands over with a priority-0 advert);
 *  - lb-01's link down (its veth on the bridge): the VIP on lb-02 within 2 s (3 missed adverts + skew);
 *  - lb-01 back: the VIP moves back once, not before preempt_delay, and never twice;
 *    with keepalived_preempt=false (nopreempt) it does not move at all;
 *  - every transition is in the journal (notify -> logger -t lbrun-vrrp).
 * The lab is left converged with the e2e tests' VRRP password again.
 */
import { execFileSync } from 'node:child_process';
import t, { type Test } from 'tap';
import { labExec, vipHolder } from '../lab/helpers.js';
import { explain, LAB_HOSTS, labSession, on, site, waitForVip } from '../e2e/lab-site.js';
import { followVip, moves, now, overlaps, waitForVipOn } from './lab-timing.js';

t.setTimeout(30 * 60_000); // includes waiting for the lab (another holder may run a while)

/** inventory/lab.yaml as an operator runs it: no VRRP password (VRRPv3, sub-second adverts). */
const FAST = { LBRUN_VRRP_AUTH_PASS: '' };
const PREEMPT_DELAY_S = 5;
/** Longest time two nodes may both hold the VIP in a handover: the old master drops it at the new one's first advert (0.3 s). */
const MAX_OVERLAP_S = 1;
const figures: Record<string, string> = {};

async function converge(args: string[] = []): Promise<void> {
  const r = await site(args, FAST);
  if (r.code !== 0) throw new Error(`site.yaml ${args.join(' ')}: ${explain(r)}`);
}

/** A change of the VRRP transport (password on/off = VRRPv2/v3): two holders until the roll ends. */
const TRANSPORT_CHANGE = ['-e', 'keepalived_gate=false'];

t.before(async () => {
  await labSession({ converge: false });
  await converge(TRANSPORT_CHANGE);
  await waitForVip('lb-01', 60_000);
});
t.teardown(async () => {
  execFileSync('ip', ['link', 'set', 'lbv-lb01', 'up']);
  for (const h of LAB_HOSTS) await labExec(h, 'systemctl start haproxy').catch(() => {});
  // back to what the other lab tests converge to (the e2e VRRP password)
  await site(TRANSPORT_CHANGE);
});

/** A handover may show both nodes holding the VIP for a moment, never for long. */
function shortOverlaps(t: Test, seq: Array<{ at: number; holder: string }>): void {
  for (const o of overlaps(seq)) t.ok(o.seconds <= MAX_OVERLAP_S, `${o.holder} held the VIP together for ${o.seconds.toFixed(2)} s (at most ${MAX_OVERLAP_S} s)`);
}

t.test('haproxy stopped on lb-01: the VIP is on lb-02 within 1 s, back on lb-01 once after preempt_delay', async (t) => {
  t.equal(await vipHolder(), 'lb-01', 'the VIP starts on lb-01');
  const watch = waitForVipOn('lb-02', 10);
  await watch.ready;
  const t0 = Number((await on('lb-01', 'date +%s.%N; systemctl stop haproxy')).split('\n')[0]);
  const at = await watch.at;
  t.ok(at !== null, 'lb-02 took the VIP');
  const ms = Math.round(((at ?? Infinity) - t0) * 1000);
  figures.stop_haproxy_ms = String(ms);
  t.comment(`FIGURE failover_stop_haproxy_ms=${ms}`);
  t.ok(ms <= 1000, `VIP on lb-02 ${ms} ms after systemctl stop haproxy on lb-01 (promise: <= 1000)`);
  t.equal(await vipHolder(), 'lb-02', 'lb-01 gave it up: one holder');

  const follow = followVip(LAB_HOSTS);
  const started = now();
  await on('lb-01', 'systemctl start haproxy');
  await waitForVip('lb-01', 30_000);
  await new Promise((r) => setTimeout(r, 3000));
  const seq = await follow.stop();
  const back = seq.find((s) => s.holder === 'lb-01');
  const afterS = back ? back.at - started : Infinity;
  figures.failback_s = afterS.toFixed(1);
  figures.failback_moves = String(moves(seq));
  t.comment(`FIGURE failback_after_start_s=${afterS.toFixed(1)} moves=${moves(seq)} holders=${seq.map((s) => s.holder).join('>')}`);
  t.equal(moves(seq), 1, 'the VIP moved back exactly once');
  shortOverlaps(t, seq);
  t.ok(afterS >= PREEMPT_DELAY_S, `not before preempt_delay (${afterS.toFixed(1)} s >= ${PREEMPT_DELAY_S} s)`);
  t.ok(afterS <= PREEMPT_DELAY_S + 5, `nor much later (${afterS.toFixed(1)} s)`);
});

t.test("lb-01's link down: the VIP is on lb-02 within 2 s; link back: one move back", async (t) => {
  t.equal(await vipHolder(), 'lb-01', 'the VIP starts on lb-01');
  const watch = waitForVipOn('lb-02', 10);
  await watch.ready;
  const t0 = now();
  execFileSync('ip', ['link', 'set', 'lbv-lb01', 'down']);
  const at = await watch.at;
  t.ok(at !== null, 'lb-02 took the VIP');
  const ms = Math.round(((at ?? Infinity) - t0) * 1000);
  figures.link_down_ms = String(ms);
  t.comment(`FIGURE failover_link_down_ms=${ms}`);
  t.ok(ms <= 2000, `VIP on lb-02 ${ms} ms after lb-01's link went down (promise: <= 2000)`);

  const follow = followVip(LAB_HOSTS);
  execFileSync('ip', ['link', 'set', 'lbv-lb01', 'up']);
  await waitForVip('lb-01', 30_000);
  await new Promise((r) => setTimeout(r, 3000));
  const seq = await follow.stop();
  t.comment(`FIGURE link_back moves=${moves(seq)} holders=${seq.map((s) => s.holder).join('>')}`);
  t.equal(moves(seq), 1, 'the VIP moved back exactly once');
  shortOverlaps(t, seq);
});

t.test('nopreempt (keepalived_preempt=false): the VIP stays on lb-02 when lb-01 comes back', async (t) => {
  await converge(['-e', 'keepalived_preempt=false']);
  await waitForVip('lb-01', 30_000);
  for (const h of LAB_HOSTS) t.match(await on(h, 'cat /etc/keepalived/keepalived.conf'), /^\s+nopreempt$/m, `${h}: nopreempt`);
  await on('lb-01', 'systemctl stop haproxy');
  await waitForVip('lb-02', 5000);
  const follow = followVip(LAB_HOSTS);
  await on('lb-01', 'systemctl start haproxy');
  await new Promise((r) => setTimeout(r, (PREEMPT_DELAY_S + 5) * 1000));
  const seq = await follow.stop();
  t.comment(`FIGURE nopreempt moves=${moves(seq)} holders=${seq.map((s) => s.holder).join('>')}`);
  t.equal(moves(seq), 0, 'no move when lb-01 came back');
  t.same(overlaps(seq), [], 'no moment with two holders');
  t.equal(await vipHolder(), 'lb-02', 'lb-02 still holds the VIP');
  // the teardown's converge brings preemption back
});

t.test('every VRRP transition is logged (journalctl -t lbrun-vrrp)', async (t) => {
  const log = await on('lb-02', 'journalctl -t lbrun-vrrp -o cat --no-pager | tail -n 20');
  t.match(log, /INSTANCE VI_1 MASTER 150/, 'lb-02 logged becoming MASTER');
  t.match(log, /INSTANCE VI_1 BACKUP 150/, 'and going back to BACKUP');
  const one = await on('lb-01', 'journalctl -t lbrun-vrrp -o cat --no-pager | tail -n 20');
  t.match(one, /INSTANCE VI_1 FAULT \d+/, 'lb-01 logged its FAULT');
});

t.test('figures', async (t) => {
  t.comment(`FIGURE ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  t.pass();
});
