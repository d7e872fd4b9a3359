/**
 * A bounded HTTPS client loop through the lab's VIP (or any lab/loopback address): one new TLS
 * connection per request (so HAProxy's round robin spreads them), counting successes, failures and
 * which stand-in API server answered. Bounded in count and time; refuses addresses outside
 * loopback and the lab network, so it can never reach production.
 */
import https from 'node:https';
import type { TLSSocket } from 'node:tls';

export interface VipClientOptions {
  host: string;
  port?: number;
  /** Request path; the stand-ins answer /version, /readyz, /livez. */
  path?: string;
  /** Stop after this many requests (hard bound). */
  maxRequests?: number;
  /** Stop after this long (hard bound), in ms. */
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
      if (typeof json[key] === 'string' && json[key]) return json[key] as string;
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

/** Start the loop in the background. */
export function startVipClient(options: VipClientOptions): VipClientLoop {
  assertLabAddress(options.host);
  const opts = {
    host: options.host,
    port: options.port ?? 6443,
    path: options.path ?? '/version',
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  const maxRequests = Math.min(options.maxRequests ?? 1000, HARD_MAX_REQUESTS);
  const maxDurationMs = Math.min(options.maxDurationMs ?? 120_000, HARD_MAX_DURATION_MS);
  const intervalMs = options.intervalMs ?? 20;
  let stopping = false;

  const done = (async (): Promise<VipClientResult> => {
    const start = Date.now();
    const result: VipClientResult = { ok: 0, failed: 0, byBackend: {}, requests: [], durationMs: 0 };
    while (!stopping && result.requests.length < maxRequests && Date.now() - start < maxDurationMs) {
      const t0 = Date.now();
      try {
        const { backend } = await oneRequest(opts);
        const name = backend ?? 'unknown';
        result.ok++;
        result.byBackend[name] = (result.byBackend[name] ?? 0) + 1;
        result.requests.push({ at: t0 - start, ok: true, backend: name, ms: Date.now() - t0 });
      } catch (err) {
        result.failed++;
        result.requests.push({ at: t0 - start, ok: false, error: (err as Error).message, ms: Date.now() - t0 });
      }
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
    result.durationMs = Date.now() - start;
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

/** Run exactly `count` requests (bounded by maxDurationMs too) and return the counts. */
export function runVipClient(options: VipClientOptions & { count: number }): Promise<VipClientResult> {
  return startVipClient({ ...options, maxRequests: options.count }).done;
}
