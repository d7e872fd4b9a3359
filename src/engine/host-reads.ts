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
 * Reads of one kind in the same round trip (ExecOptions.join: `systemctl show` of several units) run
 * as one command, each given its own part of the output; reads that share work (ExecOptions.preludes:
 * one `stat` and one `sha256sum` for the paths of every file read) get it done once before them
 * (src/engine/joined-reads.ts).
 *
 * So a converged play costs one round trip per host for all its typed reads in a row, serial or
 * not, and a read never answers from before a change. Reads go ahead only while the run is quiet:
 * a host's read carries others only when nothing changed anywhere since its last read (or, for its
 * first, since the last read of any host), so a run that is changing hosts reads nothing it would
 * throw away. A read with stdin or a time limit of its own (a wait) always runs on its own.
 */
import { randomBytes } from 'node:crypto';
import { quote } from '../connection/quote.js';
import { withRunOptions } from '../connection/with-run-options.js';
import type { Connection, ExecOptions, ExecResult, ReadJoin, ReadPrelude, ReadRequest } from '../connection/types.js';
import { joinReads } from './joined-reads.js';

/** At most this many reads ahead in one round trip. */
export const MAX_AHEAD = 24;

export class HostReads {
  /** Changes seen so far: answers made under another count are void. */
  private epoch = 0;
  private readonly answers = new Map<string, Map<string, ExecResult>>();
  /** The count of changes when each host's last read ended, and when any host's did. */
  private readonly seen = new Map<string, number>();
  private seenAny: number | undefined;
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
    this.answers.clear();
  }

  /** Nothing changed since this host's last read (or any host's, before its first). */
  private quiet(host: string): boolean {
    const since = this.seen.get(host) ?? this.seenAny;
    return since === undefined || since === this.epoch;
  }

  private ended(host: string): void {
    this.seen.set(host, this.epoch);
    this.seenAny = this.epoch;
  }

  async run(conn: Connection, command: string, opts: ExecOptions): Promise<ExecResult> {
    const { ahead, read, join, preludes, ...plain } = opts;
    if (!read) {
      this.changed();
      return conn.run(command, plain).finally(() => this.changed());
    }
    if (!this.enabled || plain.stdin !== undefined || plain.timeoutMs !== undefined) return conn.run(command, plain);
    const group = groupOf(plain);
    const key = keyIn(group, command);
    const mine = this.answers.get(conn.host);
    const hit = mine?.get(key);
    if (hit) {
      mine!.delete(key);
      this.counts.used++;
      return hit;
    }
    const seen = new Set([key]);
    const batch: Array<{ key: string; command: string; join?: ReadJoin; preludes?: ReadPrelude[] }> = [];
    if (this.quiet(conn.host)) {
      for (const r of ahead?.(MAX_AHEAD) ?? []) {
        if (batch.length >= MAX_AHEAD) break;
        if (groupOf(r.opts) !== group) continue;
        const k = keyIn(group, r.command);
        if (seen.has(k) || mine?.has(k)) continue;
        seen.add(k);
        batch.push({ key: k, command: r.command, join: r.opts.join, preludes: r.opts.preludes });
      }
    }
    if (batch.length === 0) return conn.run(command, plain).finally(() => this.ended(conn.host));
    const epoch = this.epoch;
    const joined = joinReads([{ command, join, preludes }, ...batch]);
    const results = await runBatch(conn, joined.prelude, joined.commands, plain);
    const answers = results && joined.answers(results);
    if (answers && this.epoch === epoch) {
      let book = this.answers.get(conn.host);
      if (!book) this.answers.set(conn.host, (book = new Map()));
      batch.forEach((r, i) => {
        const a = answers[i + 1];
        if (a === undefined) return;
        book.set(r.key, a);
        this.counts.read++;
      });
    }
    if (!answers?.[0]) return conn.run(command, plain).finally(() => this.ended(conn.host));
    this.ended(conn.host);
    return answers[0];
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
/** A read's key: its group (groupOf) and its command. */
function keyIn(group: string, command: string): string {
  return `${group}\u0000${command}`;
}

/** Reads that can share a round trip: the same become, user, environment and directory. */
function groupOf(opts: ExecOptions): string {
  const become = opts.become ?? null;
  const env = opts.env && Object.keys(opts.env).length > 0 ? Object.entries(opts.env).sort(([a], [b]) => (a < b ? -1 : 1)) : null;
  return JSON.stringify([become, become === false ? null : (opts.becomeUser ?? null), env, opts.cwd ?? null]);
}

/**
 * Several reads in one round trip, each in its own subshell (`eval` of its script, no stdin, so it
 * parses and exits as if it ran alone), one after the other. After each read, a line with a mark
 * (random per batch) and its exit code ends its stdout, and the mark alone ends its stderr, on
 * the channel's own stderr: one fork per read (its subshell), no exec or temporary file besides the
 * reads' own. undefined when the batch itself did
 * not work (then the caller runs its read alone).
 */
async function runBatch(conn: Connection, prelude: string, commands: string[], opts: ExecOptions): Promise<ExecResult[] | undefined> {
  const mark = `lbrun-read-${randomBytes(9).toString('hex')}`;
  const reads = commands.map((c) => `(eval ${quote(c)}) </dev/null; printf '\\n${mark} %s\\n' "$?"; printf '\\n${mark}\\n' >&2`);
  // the prelude runs in this shell (a brace group: its variables and functions stay for the reads),
  // its output thrown away, so no answer holds any of it
  const script = [...(prelude ? [`{ ${prelude}\n} </dev/null >/dev/null 2>&1`] : []), ...reads].join('\n');
  const r = await conn.run(script, opts);
  if (r.rc !== 0) return undefined;
  return parseBatch(r.stdout, r.stderr, mark, commands.length);
}

/** The answers of runBatch's output, or undefined when it is not exactly `count` of them. */
function parseBatch(stdout: string, stderr: string, mark: string, count: number): ExecResult[] | undefined {
  const errs = stderr.split(`\n${mark}\n`);
  if (errs.length !== count + 1 || errs[count] !== '') return undefined;
  const out: ExecResult[] = [];
  let at = 0;
  while (at < stdout.length) {
    const head = stdout.indexOf(`\n${mark} `, at);
    const line = head < 0 ? -1 : stdout.indexOf('\n', head + 1);
    const rc = line < 0 ? '' : stdout.slice(head + mark.length + 2, line);
    if (!/^\d+$/.test(rc) || out.length === count) return undefined;
    out.push({ rc: Number(rc), stdout: stdout.slice(at, head), stderr: errs[out.length] });
    at = line + 1;
  }
  return out.length === count ? out : undefined;
}

/** The task's view of its host's connection: its reads carry the reads of the host's next tasks. */
export function withReadsAhead(conn: Connection, ahead: (limit: number) => ReadRequest[]): Connection {
  return withRunOptions(conn, (opts) => (opts.read ? { ...opts, ahead } : opts));
}
