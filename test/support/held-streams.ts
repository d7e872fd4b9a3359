/**
 * Long-lived connections through the lab's VIP, like `kubectl get -w`: each stream is one TLS
 * connection that stays open and carries a small request every `everyMs` (HTTP/1.1 keep-alive), so
 * it always has traffic, as a watch receives events. A stream that ends is recorded with how it
 * ended (a clean close: FIN; a reset: RST; a stall: no answer) and is not reopened. Refuses
 * addresses outside loopback and the lab network.
 */
import tls from 'node:tls';
import { assertLabAddress } from './vip-client.js';

export interface StreamEnd {
  /** stream number */
  id: number;
  /** ms after start() */
  at: number;
  /** 'fin': the peer closed cleanly; 'reset': ECONNRESET/EPIPE; 'stall': no answer for stallMs; 'error': other */
  how: 'fin' | 'reset' | 'stall' | 'error';
  detail?: string;
  /** answers received before it ended */
  answers: number;
}

export interface HeldStreams {
  /** streams still open */
  open(): number;
  ends: StreamEnd[];
  /** answers received on all streams */
  answers(): number;
  /** close every stream still open (not counted as cut) and return what ended before */
  stop(): StreamEnd[];
}

export async function holdStreams(opts: { host: string; port?: number; count: number; everyMs?: number; stallMs?: number }): Promise<HeldStreams> {
  assertLabAddress(opts.host);
  const start = Date.now();
  const ends: StreamEnd[] = [];
  const sockets = new Set<tls.TLSSocket>();
  let answers = 0;
  let stopping = false;
  const everyMs = opts.everyMs ?? 1000;
  const stallMs = opts.stallMs ?? 10_000;

  const openOne = (id: number) =>
    new Promise<void>((resolve, reject) => {
      let got = 0;
      let lastAnswer = Date.now();
      let ended = false;
      const sock = tls.connect({ host: opts.host, port: opts.port ?? 6443, rejectUnauthorized: false });
      const end = (how: StreamEnd['how'], detail?: string) => {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        sockets.delete(sock);
        if (!stopping) ends.push({ id, at: Date.now() - start, how, detail, answers: got });
        sock.destroy();
      };
      const timer = setInterval(() => {
        if (Date.now() - lastAnswer > stallMs) return end('stall', `no answer for ${stallMs} ms`);
        sock.write(`GET /readyz HTTP/1.1\r\nHost: ${opts.host}\r\n\r\n`);
      }, everyMs);
      let buf = '';
      sock.setEncoding('utf8');
      sock.on('secureConnect', () => {
        sockets.add(sock);
        sock.write(`GET /readyz HTTP/1.1\r\nHost: ${opts.host}\r\n\r\n`);
      });
      sock.on('data', (d: string) => {
        buf += d;
        // one answer per "HTTP/1.1 200" status line
        for (let i = buf.indexOf('HTTP/1.1 '); i >= 0; i = buf.indexOf('HTTP/1.1 ')) {
          buf = buf.slice(i + 9);
          got++;
          answers++;
          lastAnswer = Date.now();
          if (got === 1) resolve();
        }
      });
      sock.on('end', () => end('fin'));
      sock.on('close', () => end('fin'));
      sock.on('error', (e: NodeJS.ErrnoException) => {
        if (got === 0) reject(e);
        end(e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'error', e.code ?? e.message);
      });
    });

  await Promise.all(Array.from({ length: opts.count }, (_, i) => openOne(i)));
  return {
    open: () => sockets.size,
    ends,
    answers: () => answers,
    stop: () => {
      stopping = true;
      for (const s of sockets) s.destroy();
      return ends;
    },
  };
}
