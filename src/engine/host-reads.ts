/**
 * Reads made ahead (on unless --no-read-ahead): the one place where the engine reuses what it read
 * from a host. Every connection of the run goes through it (ConnectionPool wraps each one).
 *
 *  - A read (a module's facts: ExecOptions.read) that finds no answer made ahead runs, and in the
 *    same round trip the reads of the host's next tasks whose arguments are already known
 *    (src/engine/upcoming-reads.ts, given as ExecOptions.ahead) run too, one after the other.
 *  - A later read with the same command and options takes its answer, once, while nothing changed.
 *  - Anything else that runs on any host (an apply, a command, an upload) is a change: every answer
 *    made ahead, on every host, is dropped when it starts and again when it ends, and a batch that
 *    was under way during a change keeps none of its answers.
 *
 * So a converged play costs one round trip per host for all its typed reads in a row, serial or
 * not, and a read never answers from before a change. A host whose reads ahead a change dropped
 * unused reads only FEW_AHEAD ahead until one answers again (a cold run wastes little). A read with stdin or a time limit of its
 * own (a wait) always runs on its own.
 */
import { randomBytes } from 'node:crypto';
import { quote } from '../connection/quote.js';
import { withRunOptions } from '../connection/with-run-options.js';
import type { Connection, ExecOptions, ExecResult, ReadRequest } from '../connection/types.js';

/** At most this many reads ahead in one round trip. */
export const MAX_AHEAD = 24;
/** ... and this many on a host whose last reads ahead a change dropped unused (a run that changes it). */
export const FEW_AHEAD = 2;

export class HostReads {
  /** Changes seen so far: answers made under another count are void. */
  private epoch = 0;
  private readonly answers = new Map<string, Map<string, ExecResult>>();
  /** Hosts whose reads ahead were dropped unused: they read few ahead until one answers again. */
  private readonly changing = new Set<string>();
  /** Reads made ahead, and how many of them answered a later read. */
  readonly counts = { read: 0, used: 0 };

  constructor(readonly enabled: boolean) {}

  /** The connection with every command going through here. */
  wrap(conn: Connection): Connection {
    return new ReadsConnection(conn, this);
  }

  /** Something changes (or may have changed) a host: drop every answer made ahead. */
  changed(): void {
    this.epoch++;
    for (const [host, book] of this.answers) if (book.size > 0) this.changing.add(host);
    this.answers.clear();
  }

  async run(conn: Connection, command: string, opts: ExecOptions): Promise<ExecResult> {
    const { ahead, read, ...plain } = opts;
    if (!read) {
      this.changed();
      return conn.run(command, plain).finally(() => this.changed());
    }
    if (!this.enabled || plain.stdin !== undefined || plain.timeoutMs !== undefined) return conn.run(command, plain);
    const key = keyOf(command, plain);
    const mine = this.answers.get(conn.host);
    const hit = mine?.get(key);
    if (hit) {
      mine!.delete(key);
      this.changing.delete(conn.host);
      this.counts.used++;
      return hit;
    }
    const group = groupOf(plain);
    const seen = new Set([key]);
    const batch: ReadRequest[] = [];
    const limit = this.changing.has(conn.host) ? FEW_AHEAD : MAX_AHEAD;
    for (const r of ahead?.(limit) ?? []) {
      const k = keyOf(r.command, r.opts);
      if (batch.length >= limit || seen.has(k) || groupOf(r.opts) !== group || mine?.has(k)) continue;
      seen.add(k);
      batch.push(r);
    }
    if (batch.length === 0) return conn.run(command, plain);
    const epoch = this.epoch;
    const results = await runBatch(conn, [command, ...batch.map((r) => r.command)], plain);
    if (!results) return conn.run(command, plain);
    if (this.epoch === epoch) {
      let book = this.answers.get(conn.host);
      if (!book) this.answers.set(conn.host, (book = new Map()));
      batch.forEach((r, i) => book.set(keyOf(r.command, r.opts), results[i + 1]));
      this.counts.read += batch.length;
    }
    return results[0];
  }
}

class ReadsConnection implements Connection {
  constructor(
    private readonly conn: Connection,
    private readonly reads: HostReads,
  ) {}

  get host(): string {
    return this.conn.host;
  }

  get stats() {
    return this.conn.stats;
  }

  connect(): Promise<void> {
    return this.conn.connect();
  }

  run(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    return this.reads.run(this.conn, command, opts);
  }

  put(path: string, data: string | Buffer, opts?: Parameters<Connection['put']>[2]): Promise<void> {
    this.reads.changed();
    return this.conn.put(path, data, opts).finally(() => this.reads.changed());
  }

  get(path: string, opts?: { become?: boolean }): Promise<Buffer> {
    return this.conn.get(path, opts);
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

/** What makes two reads the same read: command, become, user, environment, directory. */
function keyOf(command: string, opts: ExecOptions): string {
  return `${groupOf(opts)}\u0000${command}`;
}

/** Reads that can share a round trip: the same become, user, environment and directory. */
function groupOf(opts: ExecOptions): string {
  const become = opts.become ?? null;
  const env = opts.env && Object.keys(opts.env).length > 0 ? Object.entries(opts.env).sort(([a], [b]) => (a < b ? -1 : 1)) : null;
  return JSON.stringify([become, become === false ? null : (opts.becomeUser ?? null), env, opts.cwd ?? null]);
}

/**
 * Several reads in one round trip, each in its own `/bin/sh -c` (as if it ran alone), no stdin;
 * each one's exit code, stdout and stderr come back base64-encoded on one line of its own.
 * undefined when the batch itself did not work (then the caller runs its read alone).
 */
async function runBatch(conn: Connection, commands: string[], opts: ExecOptions): Promise<ExecResult[] | undefined> {
  const mark = `lbrun-read-${randomBytes(6).toString('hex')}`;
  const script = [
    'd=$(mktemp -d) || exit 97',
    `trap 'rm -rf "$d"' EXIT`,
    ...commands.map(
      (c) => `/bin/sh -c ${quote(c)} </dev/null >"$d/o" 2>"$d/e"; r=$?; printf '%s %s %s %s\\n' ${mark} "$r" "$(base64 -w0 <"$d/o")" "$(base64 -w0 <"$d/e")"`,
    ),
  ].join('\n');
  const r = await conn.run(script, opts);
  if (r.rc !== 0) return undefined;
  const out: ExecResult[] = [];
  for (const line of r.stdout.split('\n')) {
    const [m, rc, stdout = '', stderr = ''] = line.split(' ');
    if (m !== mark || !/^\d+$/.test(rc ?? '')) continue;
    out.push({ rc: Number(rc), stdout: Buffer.from(stdout, 'base64').toString('utf8'), stderr: Buffer.from(stderr, 'base64').toString('utf8') });
  }
  return out.length === commands.length ? out : undefined;
}

/** The task's view of its host's connection: its reads carry the reads of the host's next tasks. */
export function withReadsAhead(conn: Connection, ahead: (limit: number) => ReadRequest[]): Connection {
  return withRunOptions(conn, (opts) => (opts.read ? { ...opts, ahead } : opts));
}
