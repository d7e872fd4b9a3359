/**
 * A small client for the Proxmox VE HTTP API (https://pve.proxmox.com/pve-docs/api-viewer/).
 *
 * Followed from the PVE documentation:
 * - Base path `/api2/json`; every answer is `{"data": ...}`.
 * - API tokens (pve-admin-guide, "API Tokens"): header `Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET`;
 *   a token needs no CSRF ticket, so writes need no extra header.
 * - Parameters of POST/PUT are sent form-encoded (`application/x-www-form-urlencoded`), those of
 *   GET/DELETE in the query string (as `pvesh` and the GUI do).
 * - Errors: the HTTP reason phrase carries the message (`HTTP/1.1 400 Parameter verification failed.`,
 *   `500 CT 100 already exists`, `401 No ticket`, `403 Permission check failed (/vms/100, VM.Allocate)`),
 *   and a 400 body lists the bad parameters: `{"errors":{"net0":"invalid format ..."},"data":null}`.
 *
 * The token secret never appears in a message: every text that leaves this file goes through redact().
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { TaskError } from '../../errors.js';

export interface PveClientOptions {
  /** https://HOST:8006 (a trailing /api2/json is accepted). */
  apiUrl: string;
  /** USER@REALM!TOKENID */
  tokenId: string;
  tokenSecret: string;
  /** PEM file of the CA that signed the API's certificate (e.g. /etc/pve/pve-root-ca.pem). */
  caFile?: string;
  /** Verify the server's TLS certificate (default true). */
  validateCerts?: boolean;
  /** Per-request timeout in ms (default 30 s). */
  requestTimeoutMs?: number;
}

export type PveParams = Record<string, string | number | boolean | undefined>;

/** An answer of the API that was not 2xx, with what PVE said about it. */
export class PveApiError extends TaskError {
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message, { status, reason, errors: fieldErrors });
  }
}

const MASK = '********';

export class PveClient {
  private readonly base: URL;
  private readonly agent: https.Agent;
  private readonly authHeader: string;

  constructor(private readonly opts: PveClientOptions) {
    const trimmed = opts.apiUrl.replace(/\/+$/, '').replace(/\/api2\/json$/, '');
    this.base = new URL(trimmed);
    if (this.base.protocol !== 'https:') {
      throw new TaskError(`proxmox_lxc: api_url must be https:// (got ${this.redact(opts.apiUrl)})`);
    }
    let ca: Buffer | undefined;
    if (opts.caFile) {
      try {
        ca = readFileSync(opts.caFile);
      } catch (err) {
        throw new TaskError(`proxmox_lxc: cannot read ca_file ${opts.caFile}: ${(err as Error).message}`);
      }
    }
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca, rejectUnauthorized: opts.validateCerts !== false });
    this.authHeader = `PVEAPIToken=${opts.tokenId}=${opts.tokenSecret}`;
  }

  /** Replace the token secret wherever it might appear (an echoing proxy, a URL in an error). */
  redact(text: string): string {
    const s = this.opts.tokenSecret;
    return s ? text.split(s).join(MASK) : text;
  }

  get origin(): string {
    return this.base.origin;
  }

  async get<T>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('GET', path, params);
  }
  async post<T>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('POST', path, params);
  }
  async put<T>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('PUT', path, params);
  }
  async delete<T>(path: string, params?: PveParams): Promise<T> {
    return this.request<T>('DELETE', path, params);
  }

  close(): void {
    this.agent.destroy();
  }

  /** One API call; resolves to the `data` member of the answer. */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, params: PveParams = {}): Promise<T> {
    const form = encodeParams(params);
    const inBody = method === 'POST' || method === 'PUT';
    const url = new URL(`/api2/json${path}${!inBody && form ? `?${form}` : ''}`, this.base);
    const body = inBody ? Buffer.from(form) : undefined;
    const what = `${method} ${path}`;
    const res = await new Promise<{ status: number; reason: string; text: string }>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: this.opts.requestTimeoutMs ?? 30_000,
          headers: {
            Authorization: this.authHeader,
            Accept: 'application/json',
            ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length } : {}),
          },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () =>
            resolve({ status: r.statusCode ?? 0, reason: r.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }),
          );
          r.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${(this.opts.requestTimeoutMs ?? 30_000) / 1000} s`)));
      req.on('error', reject);
      req.end(body);
    }).catch((err: NodeJS.ErrnoException) => {
      throw new TaskError(this.redact(`Proxmox API ${what} at ${this.origin}: ${describeNetworkError(err)}`), {}, { cause: err });
    });

    let json: { data?: unknown; errors?: Record<string, string> } = {};
    try {
      json = res.text ? JSON.parse(res.text) : {};
    } catch {
      if (res.status >= 200 && res.status < 300) {
        throw new TaskError(this.redact(`Proxmox API ${what}: the answer is not JSON (is ${this.origin} a Proxmox VE API?)`));
      }
    }
    if (res.status < 200 || res.status >= 300) {
      const fieldErrors = json.errors && typeof json.errors === 'object' ? json.errors : {};
      const details = Object.entries(fieldErrors).map(([k, v]) => `${k}: ${String(v).trim()}`);
      let msg = `Proxmox API ${what}: HTTP ${res.status} ${res.reason.trim()}`;
      if (details.length) msg += ` (${details.join('; ')})`;
      if (res.status === 401) msg += ' - check api_token_id and api_token_secret (the token may be revoked or expired)';
      if (res.status === 403) msg += ' - the token lacks this privilege (docs/provisioning.md, "An API token with the least privileges", lists the role to grant)';
      throw new PveApiError(this.redact(msg), res.status, this.redact(res.reason), fieldErrors);
    }
    return json.data as T;
  }
}

/** Form/query encoding as PVE expects: booleans are 1/0, undefined is left out. */
export function encodeParams(params: PveParams): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    sp.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  return sp.toString();
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function describeNetworkError(err: NodeJS.ErrnoException): string {
  if (err.code && TLS_CODES.has(err.code)) {
    return (
      `TLS certificate verification failed (${err.code}: ${err.message}); ` +
      'set ca_file to the CA that signed it (on a PVE node: /etc/pve/pve-root-ca.pem)'
    );
  }
  return err.code ? `${err.code}: ${err.message}` : err.message;
}
