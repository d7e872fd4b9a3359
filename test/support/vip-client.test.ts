/**
 * The VIP client against real HTTPS servers on loopback: counts, which server answered, failures
 * when nothing listens, the bounds, and its refusal to talk to anything but loopback or the lab.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { assertLabAddress, lossProblems, runVipClient, startVipClient } from './vip-client.js';

const dir = mkdtempSync(join(tmpdir(), 'vip-client-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=loopback-cert', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
const tls = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };

async function server(handler: RequestListener): Promise<{ port: number; close(): Promise<void> }> {
  const s = https.createServer(tls, handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, close: () => new Promise((r) => s.close(() => r())) };
}

t.test('counts answers per backend (X-Lab-Backend header, else the certificate CN)', async (t) => {
  let n = 0;
  const s = await server((_req, res) => {
    n++;
    if (n % 2) res.setHeader('X-Lab-Backend', 'stand-in-a');
    res.end('{"major":"1"}');
  });
  t.teardown(() => s.close());
  const r = await runVipClient({ host: '127.0.0.1', port: s.port, count: 6, intervalMs: 0 });
  t.equal(r.ok, 6);
  t.equal(r.failed, 0);
  t.same(r.byBackend, { 'stand-in-a': 3, 'loopback-cert': 3 });
  t.equal(r.requests.length, 6);
});

t.test('non-200 answers and refused connections count as failures', async (t) => {
  const s = await server((_req, res) => {
    res.statusCode = 503;
    res.end('not ready');
  });
  const r = await runVipClient({ host: '127.0.0.1', port: s.port, count: 2, intervalMs: 0 });
  t.equal(r.failed, 2);
  t.match(r.requests[0].error, 'HTTP 503');
  await s.close();
  const refused = await runVipClient({ host: '127.0.0.1', port: s.port, count: 2, intervalMs: 0 });
  t.equal(refused.failed, 2);
  t.match(refused.requests[0].error, 'ECONNREFUSED');
});

t.test('a background loop stops on request and within its time bound', async (t) => {
  const s = await server((_req, res) => res.end('ok'));
  t.teardown(() => s.close());
  const loop = startVipClient({ host: '127.0.0.1', port: s.port, intervalMs: 10, maxDurationMs: 300 });
  const bounded = await loop.done;
  t.ok(bounded.durationMs < 1500, `ended by itself after ${bounded.durationMs} ms`);
  t.ok(bounded.ok > 0);
  const loop2 = startVipClient({ host: '127.0.0.1', port: s.port, intervalMs: 10, maxDurationMs: 60_000 });
  await new Promise((r) => setTimeout(r, 100));
  const stopped = await loop2.stop();
  t.ok(stopped.durationMs < 5000, `stopped after ${stopped.durationMs} ms`);
});

t.test('runs until stopped; reports rate, longest gap and every error; lossProblems catches each kind of loss', async (t) => {
  let stall = false;
  let fail = false;
  const s = await server((_req, res) => {
    if (fail) {
      res.statusCode = 503;
      res.end('down');
    } else if (stall) setTimeout(() => res.end('late'), 1500);
    else res.end('ok');
  });
  t.teardown(() => s.close());
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  // a clean window: covered, stopped by the test, no failure, no stall
  const clean = startVipClient({ host: '127.0.0.1', port: s.port, intervalMs: 10 });
  await sleep(300);
  const windowStart = 200;
  await sleep(700);
  const windowEnd = 900;
  const c = await clean.stop();
  t.equal(c.stoppedBy, 'stop');
  t.same(c.errors, []);
  t.same(lossProblems(c, { windowStartMs: windowStart, windowEndMs: windowEnd, minRate: 1, maxStallMs: 1000 }), [], `${c.ok} answers, ${c.rate.toFixed(0)}/s, gap ${c.longestGapMs} ms`);

  // a stall (one answer 1.5 s late) is over the 1 s bound, though nothing failed
  const slow = startVipClient({ host: '127.0.0.1', port: s.port, intervalMs: 10 });
  await sleep(200);
  stall = true;
  await sleep(200);
  stall = false;
  await sleep(1800);
  const sl = await slow.stop();
  t.equal(sl.failed, 0);
  t.ok(sl.longestGapMs >= 1400, `longest gap ${sl.longestGapMs} ms`);
  t.ok(sl.longestGapNetMs >= 1400, `a slow answer is no freeze of this process: net ${sl.longestGapNetMs} ms`);
  t.match(lossProblems(sl, { windowStartMs: 100, windowEndMs: 500, minRate: 1 }), [/longest stall \d+ ms > 1000 ms/]);

  // this process not running for 1.5 s (a loaded machine) is not a stall of what it measures
  const frozen = startVipClient({ host: '127.0.0.1', port: s.port, intervalMs: 10 });
  await sleep(200);
  const until = Date.now() + 1500;
  while (Date.now() < until); // the event loop held up, as by a machine that gives it no CPU
  await sleep(300);
  const fr = await frozen.stop();
  t.ok(fr.longestGapMs >= 1400, `the raw gap shows the freeze: ${fr.longestGapMs} ms`);
  t.ok(fr.longestFreezeMs >= 1400, `the freeze is seen: ${fr.longestFreezeMs} ms`);
  t.ok(fr.longestGapNetMs < 500, `and taken out of the stall: ${fr.longestGapNetMs} ms`);
  t.same(lossProblems(fr, { windowStartMs: 100, windowEndMs: 1900, minRate: 1 }), [], 'no loss reported for a freeze of the test itself');

  // failures are listed with their error; a loop that ended by a bound did not cover the window
  const bad = startVipClient({ host: '127.0.0.1', port: s.port, intervalMs: 10 });
  await sleep(100);
  fail = true;
  await sleep(200);
  fail = false;
  const b = await bad.stop();
  t.ok(b.failed > 0 && b.errors.length === b.failed);
  t.match(b.errors[0], /^at \d+ ms: HTTP 503$/);
  const capped = await runVipClient({ host: '127.0.0.1', port: s.port, count: 3, intervalMs: 0 });
  t.equal(capped.stoppedBy, 'maxRequests');
  const problems = lossProblems(capped, { windowStartMs: 50, windowEndMs: 60_000, minRate: 1 });
  t.match(problems, [/ended by itself \(maxRequests\)/, /before the change ended/]);
  t.match(lossProblems(b, { windowStartMs: 50, windowEndMs: 100, minRate: 1, maxStallMs: 60_000 }), [/\d+ failed: at \d+ ms: HTTP 503/]);
  t.match(lossProblems(c, { windowStartMs: 50, windowEndMs: 100, minRate: 1e6 }), [/answers\/s < 1000000\/s/]);
});

t.test('only loopback and the lab network', async (t) => {
  t.doesNotThrow(() => assertLabAddress('127.0.0.1'));
  t.doesNotThrow(() => assertLabAddress('10.213.0.210'));
  t.throws(() => assertLabAddress('192.168.0.210'), /only talks to loopback or the lab/);
  t.throws(() => assertLabAddress('10.213.1.5'));
  t.throws(() => startVipClient({ host: '192.168.0.210' }), /not 192\.168\.0\.210/);
});
