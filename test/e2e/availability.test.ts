/**
 * What the tier is for, on the converged lab: traffic through the VIP reaches the stand-in API
 * servers and survives a dead backend (before the checks take it out, a request that meets it is
 * retried on a live one); the VIP fails over lb-01 -> lb-02 -> lb-03 and comes back;
 * a rolling config change under load drops no request.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import t from 'tap';
import { cutBackend, labExec, startBackend, stopBackend, vipHolder } from '../lab/helpers.js';
import { recap } from '../support/run-cli.js';
import { runVipClient, startVipClient, type VipClientResult } from '../support/vip-client.js';
import { explain, LAB_HOSTS, labSession, on, serverStatus, site, VIP, waitForVip, waitUntil } from './lab-site.js';

t.setTimeout(20 * 60_000);

const BACKENDS = ['k3s-lab-cp-01', 'k3s-lab-cp-02', 'k3s-lab-cp-03'];

function failures(r: Pick<VipClientResult, 'requests'>): string {
  return r.requests.filter((q) => !q.ok).slice(0, 5).map((q) => `at ${q.at} ms: ${q.error}`).join('; ');
}

/** A command to HAProxy's runtime API on a node (the admin socket of templates/haproxy.cfg.mustache). */
function runtimeApi(host: string, command: string): Promise<string> {
  const py = 'import socket,sys;s=socket.socket(socket.AF_UNIX);s.connect("/run/haproxy/admin.sock");s.sendall((sys.argv[1]+"\\n").encode());print(s.makefile().read(),end="")';
  return on(host, `python3 -c '${py}' '${command}'`);
}

/** One column of a server's row in HAProxy's stats CSV on a node (throws when absent). */
async function serverStat(host: string, server: string, column: string): Promise<string> {
  const lines = (await on(host, "curl -fsS 'http://127.0.0.1:8404/stats;csv'")).split('\n');
  const col = lines[0].replace(/^# /, '').split(',').indexOf(column);
  const row = lines.find((l) => l.split(',')[1] === server)?.split(',');
  if (col < 0 || !row) throw new Error(`${host}: no ${column} for ${server} in the stats CSV`);
  return row[col];
}

/** An HAProxy time ("2s", "500ms", "1m"; a bare number is ms) in ms. */
function haproxyMs(value: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new Error(`not an HAProxy time: ${JSON.stringify(value)}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
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
  // Dead first, then three clients at once, so that connects to the dead backend are under way
  // when it is marked down. (A request in flight on a server that dies mid-answer fails whatever
  // the balancer does: TCP mode cannot replay it; that is not what this counts.)
  await stopBackend(2);
  const during = [1, 2, 3].map(() => startVipClient({ host: VIP, intervalMs: 20, maxDurationMs: 60_000 }));
  const detected = await waitUntil(() => serverStatus(holder, 'k3s-lab-cp-02'), (s) => s.startsWith('DOWN'), 30_000, 200);
  const each = await Promise.all(during.map((c) => c.stop()));
  const whileDetecting = {
    ok: each.reduce((n, r) => n + r.ok, 0),
    failed: each.reduce((n, r) => n + r.failed, 0),
    stoppedBy: each.every((r) => r.stoppedBy === 'stop') ? 'stop' : 'a bound',
    requests: each.flatMap((r) => r.requests),
  } as const;
  t.comment(`k3s-lab-cp-02 marked DOWN by ${holder} after ${detected.ms} ms; ${whileDetecting.ok} ok / ${whileDetecting.failed} failed requests meanwhile`);
  // the connects under way to it when it is marked down are retried elsewhere, not killed
  t.equal(whileDetecting.stoppedBy, 'stop', 'the clients ran through the whole detection');
  t.ok(whileDetecting.ok >= detected.ms / 1000, `${whileDetecting.ok} requests answered while the dead backend was being marked down`);
  t.equal(whileDetecting.failed, 0, `no failed request while the dead backend was being marked down (${failures(whileDetecting)})`);

  const after = await runVipClient({ host: VIP, count: 60, intervalMs: 5 });
  t.equal(after.failed, 0, `no failed request after detection (${failures(after)})`);
  t.notOk(after.byBackend['k3s-lab-cp-02'], 'the stopped backend answers nothing');
  t.same(Object.keys(after.byBackend).sort(), ['k3s-lab-cp-01', 'k3s-lab-cp-03'], 'the others share the load');

  await startBackend(2);
  const back = await waitUntil(() => serverStatus(holder, 'k3s-lab-cp-02'), (s) => s === 'UP', 30_000, 200);
  t.comment(`k3s-lab-cp-02 back UP after ${back.ms} ms`);
});

t.test('a dead backend the checks have not taken out yet costs a request one connect timeout, never an error', async (t) => {
  // With its checks off on the VIP holder, the dead server stays in the rotation: every request of
  // its turn meets it (a connect that times out), and only the retry on another server (option
  // redispatch) answers it. With the checks on, that window is the ~3 s before it is marked down.
  const holder = (await vipHolder()) as string;
  const server = 'k3s-lab-cp-02';
  const connectMs = haproxyMs(await on(holder, "awk '$1 == \"timeout\" && $2 == \"connect\" {print $3}' /etc/haproxy/haproxy.cfg"));
  await runtimeApi(holder, `disable health k3s-api/${server}`);
  try {
    await stopBackend(2);
    t.equal(await serverStatus(holder, server), 'no check', `${server} is dead but still in the rotation (its checks off)`);
    const redispatched = Number(await serverStat(holder, server, 'wredis'));
    const r = await runVipClient({ host: VIP, count: 30, intervalMs: 5, timeoutMs: 30_000 });
    const moved = Number(await serverStat(holder, server, 'wredis')) - redispatched;
    const slowest = Math.max(...r.requests.map((q) => q.ms));
    t.comment(`${r.ok} ok / ${r.failed} failed; ${moved} connects redispatched away from ${server}; the slowest answer ${slowest} ms (connect timeout ${connectMs} ms)`);
    t.equal(r.failed, 0, `no failed request while a dead backend is in the rotation (${failures(r)})`);
    // round robin sends about a third of the 30 to it: the test did meet the dead server
    t.ok(moved >= 5, `${moved} requests met ${server} and were retried on another server`);
    t.ok(slowest <= connectMs + 1000, `the slowest answer took ${slowest} ms (bound: one connect timeout, ${connectMs} ms, + 1 s)`);
  } finally {
    await runtimeApi(holder, `enable health k3s-api/${server}`);
    await startBackend(2);
    await waitUntil(() => serverStatus(holder, server), (s) => s === 'UP', 30_000, 200);
  }
});

/** A keep-alive TLS connection through the VIP, after one answered GET /version: its socket and backend. */
function heldConnection(): Promise<{ socket: TLSSocket; backend: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: VIP, port: 6443, rejectUnauthorized: false }, () => {
      socket.write('GET /version HTTP/1.1\r\nHost: lab\r\nConnection: keep-alive\r\n\r\n');
    });
    let head = '';
    const onData = (c: Buffer) => {
      head += c.toString('latin1');
      const m = /\r\nx-lab-backend: *([^\r]+)\r\n/i.exec(head);
      if (m && head.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve({ socket, backend: m[1] });
      }
    };
    socket.on('data', onData).once('error', reject).setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

t.test('an open connection to a backend that dies without closing it is closed within the keepalive bound', async (t) => {
  // A watch (kubectl, a kubelet) holds an idle connection; its API server loses power: nothing
  // closes the connection, and without HAProxy's keepalive probes it hangs for the 1 h tunnel timeout.
  const holder = (await vipHolder()) as string;
  const cfg = (key: string) => on(holder, `awk '$1 == "${key}" {print $2}' /etc/haproxy/haproxy.cfg`);
  const boundMs = haproxyMs(await cfg('srvtcpka-idle')) + Number(await cfg('srvtcpka-cnt')) * haproxyMs(await cfg('srvtcpka-intvl'));
  let held: { socket: TLSSocket; backend: string } | undefined;
  for (let i = 0; i < 6 && held?.backend !== 'k3s-lab-cp-02'; i++) {
    held?.socket.destroy();
    held = await heldConnection();
  }
  t.equal(held?.backend, 'k3s-lab-cp-02', 'a connection held open to k3s-lab-cp-02 (round robin)');
  const socket = held!.socket;
  socket.setTimeout(0);
  try {
    const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    socket.on('error', () => {});
    const cutAt = Date.now();
    await cutBackend(2);
    const limitMs = boundMs + 4000;
    const at = await Promise.race([closed, new Promise<undefined>((r) => setTimeout(r, limitMs))]);
    t.comment(`k3s-lab-cp-02 cut off; the held connection ${at === undefined ? `still open after ${limitMs} ms` : `closed after ${at - cutAt} ms`} (keepalive bound ${boundMs} ms)`);
    t.ok(at !== undefined, `the held connection is closed within the keepalive bound + 4 s (${limitMs} ms), so its client reconnects`);
    const after = await runVipClient({ host: VIP, count: 30, intervalMs: 5, timeoutMs: 30_000 });
    t.equal(after.failed, 0, `new connections meanwhile all answered (${failures(after)})`);
  } finally {
    socket.destroy();
    await stopBackend(2);
    await startBackend(2);
    await waitUntil(() => serverStatus(holder, 'k3s-lab-cp-02'), (s) => s === 'UP', 30_000, 200);
  }
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
