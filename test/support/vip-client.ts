/**
 * An HTTPS client loop through the lab's VIP (or any lab/loopback address): one new TLS
 * connection per request (so HAProxy's round robin spreads them), counting successes, failures and
 * which stand-in API server answered. It runs until the test stops it (with safety caps), reporting
 * its count, longest gap without an answer and every error; refuses addresses outside
 * loopback and the lab network, so it can never reach production.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface VipClientOptions {
  host: string;
  port?: number;
  /** Request path; the stand-ins answer /version, /readyz, /livez. */
  path?: string;
  /** Stop after this many requests (hard bound; default: only the safety cap, the test stops the loop). */
  maxRequests?: number;
  /** Stop after this long (hard bound), in ms (default: only the 10 min safety cap). */
  maxDurationMs?: number;
  /** Pause between requests, in ms. */
  intervalMs?: number;
  /** Per-request timeout, in ms. */
  timeoutMs?: number;
}

export interface VipRequest {
  /** ms since the loop started, at the start of the request. */
  at: number;
  ok: boolean;
  /** Which backend answered (see backendOf), when ok. */
  backend?: string;
  error?: string;
  ms: number;
}

export interface VipClientResult {
  ok: number;
  failed: number;
  /** Every failure's message, in order ("at <ms>: <error>"). */
  errors: string[];
  /** Why the loop ended: the test's stop(), or a bound (a loop that hit a bound did not cover the window). */
  stoppedBy: 'stop' | 'maxRequests' | 'maxDuration';
  /** The longest time without a successful answer: from the start, between answers, and up to the end. */
  longestGapMs: number;
  /** ms since the start at which that gap began. */
  longestGapAtMs: number;
  /**
   * The longest gap less the time this test process itself was not running (its event loop held
   * up more than FREEZE_MS, seen by a heartbeat): a stall of the balancer, not of the machine.
   */
  longestGapNetMs: number;
  /** The longest time this test process was not running while the loop ran. */
  longestFreezeMs: number;
  /** Successful answers per second over the loop's duration. */
  rate: number;
  /** Successful answers per backend. */
  byBackend: Record<string, number>;
  requests: VipRequest[];
  durationMs: number;
}

export interface VipClientLoop {
  /** Ask the loop to stop after the request in flight; resolves with the result. */
  stop(): Promise<VipClientResult>;
  /** Resolves when the loop ends by itself (a bound was reached) or after stop(). */
  done: Promise<VipClientResult>;
}

const HARD_MAX_REQUESTS = 20_000;
const HARD_MAX_DURATION_MS = 10 * 60_000;

/** Only loopback (127.0.0.0/8) and the lab's 10.213.0.0/24. */
export function assertLabAddress(host: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) && !/^10\.213\.0\.\d{1,3}$/.test(host)) {
    throw new Error(`vip-client only talks to loopback or the lab (10.213.0.0/24), not ${host}`);
  }
}

/**
 * The backend that answered: the lab stand-ins' X-Lab-Backend header, else a name field of the
 * JSON body (backend, server, name, hostname), else the common name of the server's certificate.
 */
export function backendOf(header: string | undefined, body: string, certCN: string | undefined): string | undefined {
  if (header) return header;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    for (const key of ['backend', 'server', 'name', 'hostname']) {
      if (typeof json[key] === 'string' && json[key]) return json[key];
    }
  } catch {
    // not JSON: fall back to the certificate
  }
  return certCN;
}

function oneRequest(opts: Required<Omit<VipClientOptions, 'maxRequests' | 'maxDurationMs' | 'intervalMs'>>): Promise<{ backend?: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: opts.host,
        port: opts.port,
        path: opts.path,
        agent: false,
        // the stand-ins (like K3s) serve a certificate of their own CA; identity is not what we test
        rejectUnauthorized: false,
        timeout: opts.timeoutMs,
        headers: { connection: 'close' },
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate?.();
        const cn = cert && typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve({ backend: backendOf(res.headers['x-lab-backend'] as string | undefined, body, cn) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** A heartbeat this much later than due means the process was not running (a loaded machine). */
const HEARTBEAT_MS = 50;
const FREEZE_MS = 250;

/** Watch this process's own freezes: [start, end] in ms since `start`. */
function watchFreezes(start: number): { freezes: Array<[number, number]>; stop: () => void } {
  const freezes: Array<[number, number]> = [];
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - last > HEARTBEAT_MS + FREEZE_MS) freezes.push([last + HEARTBEAT_MS - start, now - start]);
    last = now;
  }, HEARTBEAT_MS);
  return { freezes, stop: () => clearInterval(timer) };
}

/** How much of [from, to] falls in the freezes. */
function frozenWithin(freezes: Array<[number, number]>, from: number, to: number): number {
  let ms = 0;
  for (const [a, b] of freezes) ms += Math.max(0, Math.min(b, to) - Math.max(a, from));
  return ms;
}

/** Start the loop in the background. */
export function startVipClient(options: VipClientOptions): VipClientLoop {
  assertLabAddress(options.host);
  const opts = {
    host: options.host,
    port: options.port ?? 6443,
    path: options.path ?? '/version',
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  const maxRequests = Math.min(options.maxRequests ?? HARD_MAX_REQUESTS, HARD_MAX_REQUESTS);
  const maxDurationMs = Math.min(options.maxDurationMs ?? HARD_MAX_DURATION_MS, HARD_MAX_DURATION_MS);
  const intervalMs = options.intervalMs ?? 20;
  let stopping = false;

  const done = (async (): Promise<VipClientResult> => {
    const start = Date.now();
    const result: VipClientResult = {
      ok: 0, failed: 0, errors: [], stoppedBy: 'stop', longestGapMs: 0, longestGapAtMs: 0, longestGapNetMs: 0, longestFreezeMs: 0,
      rate: 0, byBackend: {}, requests: [], durationMs: 0,
    };
    const own = watchFreezes(start);
    let lastAnswer = start;
    const gapEnds = (now: number) => {
      if (now - lastAnswer > result.longestGapMs) {
        result.longestGapMs = now - lastAnswer;
        result.longestGapAtMs = lastAnswer - start;
      }
      result.longestGapNetMs = Math.max(result.longestGapNetMs, now - lastAnswer - frozenWithin(own.freezes, lastAnswer - start, now - start));
    };
    while (!stopping) {
      if (result.requests.length >= maxRequests) {
        result.stoppedBy = 'maxRequests';
        break;
      }
      if (Date.now() - start >= maxDurationMs) {
        result.stoppedBy = 'maxDuration';
        break;
      }
      const t0 = Date.now();
      try {
        const { backend } = await oneRequest(opts);
        const name = backend ?? 'unknown';
        result.ok++;
        result.byBackend[name] = (result.byBackend[name] ?? 0) + 1;
        const now = Date.now();
        result.requests.push({ at: t0 - start, ok: true, backend: name, ms: now - t0 });
        gapEnds(now);
        lastAnswer = now;
      } catch (err) {
        result.failed++;
        result.errors.push(`at ${t0 - start} ms: ${(err as Error).message}`);
        result.requests.push({ at: t0 - start, ok: false, error: (err as Error).message, ms: Date.now() - t0 });
      }
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
    const end = Date.now();
    own.stop();
    result.durationMs = end - start;
    gapEnds(end);
    result.longestFreezeMs = Math.max(0, ...own.freezes.map(([a, b]) => b - a));
    result.rate = result.durationMs > 0 ? (result.ok * 1000) / result.durationMs : 0;
    return result;
  })();

  return {
    done,
    stop: () => {
      stopping = true;
      return done;
    },
  };
}

/** What a request-loss check asserts about a loop the test stopped (see assertNoLoss). */
export interface NoLossBounds {
  /** ms since the loop started when the change began and ended (both inside the loop's run). */
  windowStartMs: number;
  windowEndMs: number;
  /** Minimum successful answers per second (default 5). */
  minRate?: number;
  /** Bound on the longest time without an answer (default 1000 ms). */
  maxStallMs?: number;
}

/** The problems with a loop's result, [] when it covered the window with no loss (for t.same(..., [])). */
export function lossProblems(r: VipClientResult, b: NoLossBounds): string[] {
  const minRate = b.minRate ?? 5;
  const maxStallMs = b.maxStallMs ?? 1000;
  const out: string[] = [];
  if (r.stoppedBy !== 'stop') out.push(`the loop ended by itself (${r.stoppedBy}) after ${r.durationMs} ms, not by the test`);
  // the longest gap counts from the loop's start, so it also bounds the wait for the first answer
  if (b.windowStartMs < 0) out.push(`the loop started ${-b.windowStartMs} ms after the change began`);
  if (!r.requests.length) out.push('no request at all');
  if (r.durationMs < b.windowEndMs) out.push(`the loop ended at ${r.durationMs} ms, before the change ended at ${b.windowEndMs} ms`);
  if (r.failed) out.push(`${r.failed} failed: ${r.errors.slice(0, 5).join('; ')}`);
  if (r.rate < minRate) out.push(`${r.rate.toFixed(1)} answers/s < ${minRate}/s`);
  // this process's own freezes (a loaded machine) are not the balancer's stall: they are taken out
  if (r.longestGapNetMs > maxStallMs) {
    out.push(`longest stall ${r.longestGapNetMs} ms > ${maxStallMs} ms (the longest gap: ${r.longestGapMs} ms from ${r.longestGapAtMs} ms; this process's longest freeze: ${r.longestFreezeMs} ms)`);
  }
  return out;
}

/** Run exactly `count` requests (bounded by maxDurationMs too) and return the counts. */
export function runVipClient(options: VipClientOptions & { count: number }): Promise<VipClientResult> {
  return startVipClient({ ...options, maxRequests: options.count }).done;
}
