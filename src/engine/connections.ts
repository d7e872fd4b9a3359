/**
 * One connection per host for the whole run (per kind: a play with `connection: local` gets the
 * controller). Created lazily, opened on the first task that needs the host, closed at the end.
 */
import { createConnection } from '../connection/factory.js';
import type { Connection, ConnectionSettings, ConnectionStats } from '../connection/types.js';
import { HostReads } from './host-reads.js';

export interface PoolOptions {
  acceptNewHostKeys?: boolean;
  becomePassword?: string;
  /** --no-read-ahead: every read runs on its host's turn (src/engine/host-reads.ts). */
  readAhead?: boolean;
}

export class ConnectionPool {
  private readonly conns = new Map<string, Connection>();
  private readonly opening = new Map<string, Promise<void>>();
  /** Every command of the run goes through the reads made ahead. */
  readonly reads: HostReads;

  constructor(private readonly opts: PoolOptions) {
    this.reads = new HostReads(opts.readAhead !== false);
  }

  /** The host's connection object, not yet opened (controller-only modules never open it). */
  get(host: string, settings: ConnectionSettings): Connection {
    const key = `${settings.kind}\u0000${host}`;
    let conn = this.conns.get(key);
    if (!conn) {
      conn = this.reads.wrap(
        createConnection(host, settings, {
          acceptNewHostKeys: this.opts.acceptNewHostKeys,
          becomePassword: this.opts.becomePassword,
        }),
      );
      this.conns.set(key, conn);
    }
    return conn;
  }

  /** The host's connection, opened once. Throws ConnectError. */
  async open(host: string, settings: ConnectionSettings): Promise<Connection> {
    const conn = this.get(host, settings);
    const key = `${settings.kind}\u0000${host}`;
    let p = this.opening.get(key);
    if (!p) {
      p = conn.connect();
      this.opening.set(key, p);
    }
    await p;
    return conn;
  }

  /**
   * Open the host's connection in the background (serial plays: the next batch's hosts, while this
   * batch works). A failure is forgotten, not reported: the first task that needs the host connects
   * again and reports it.
   */
  warm(host: string, settings: ConnectionSettings): void {
    const key = `${settings.kind}\u0000${host}`;
    if (this.opening.has(key)) return;
    const p = this.get(host, settings).connect();
    this.opening.set(key, p);
    p.catch(() => {
      if (this.opening.get(key) === p) this.opening.delete(key);
    });
  }

  /** Counters of the hosts whose connection was opened (summed over kinds), for the recap event. */
  stats(): Record<string, ConnectionStats> {
    const out: Record<string, ConnectionStats> = {};
    for (const [key, conn] of this.conns) {
      if (!this.opening.has(key)) continue;
      const t = (out[conn.host] ??= { commands: 0, puts: 0, bytesOut: 0 });
      t.commands += conn.stats.commands;
      t.puts += conn.stats.puts;
      t.bytesOut += conn.stats.bytesOut;
    }
    return out;
  }

  /** Close every connection; never throws. */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.conns.values()].map((c) => c.close()));
    this.conns.clear();
    this.opening.clear();
  }
}
