/**
 * What every transport shares: building the script (env, cwd), become through sudo, stats, and
 * put/get as single commands (`cat > file` with the data on stdin; `cat file`). A transport only
 * supplies `exec` (one command line, stdin, time limits) and connect/close.
 */
import { Become } from './become.js';
import { quote } from './quote.js';
import { buildScript } from './script.js';
import { shellLine } from './become.js';
import type { Connection, ConnectionStats, ExecOptions, ExecResult, PutOptions } from './types.js';

export interface RawResult {
  rc: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface ExecLimits {
  timeoutMs?: number;
  signal?: AbortSignal;
  afterBreak?: boolean;
}

export abstract class ShellConnection implements Connection {
  readonly stats: ConnectionStats = { commands: 0, puts: 0, bytesOut: 0 };
  private readonly becomer: Become;

  constructor(
    readonly host: string,
    private readonly defaults: { become: boolean; becomeUser?: string },
    becomePassword?: string,
  ) {
    this.becomer = new Become(host, (line, stdin) => this.count(line, stdin, {}), becomePassword);
  }

  abstract connect(): Promise<void>;
  abstract close(): Promise<void>;
  /** Run one command line on the host (no escalation, no quoting added). */
  protected abstract exec(line: string, stdin: Buffer | undefined, limits: ExecLimits): Promise<RawResult>;

  async run(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.runRaw(command, opts);
    return { rc: r.rc, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async put(path: string, data: string | Buffer, opts: PutOptions = {}): Promise<void> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    const mode = opts.mode === undefined ? '' : ` && chmod ${opts.mode.toString(8)} ${quote(path)}`;
    const r = await this.runRaw(`cat > ${quote(path)}${mode}`, { stdin: body, become: opts.become });
    this.stats.puts++;
    if (r.rc !== 0) throw new Error(`cannot write ${path} on ${this.host}: ${r.stderr.toString().trim()}`);
  }

  async get(path: string, opts: { become?: boolean } = {}): Promise<Buffer> {
    const r = await this.runRaw(`cat -- ${quote(path)}`, { become: opts.become });
    if (r.rc !== 0) throw new Error(`cannot read ${path} on ${this.host}: ${r.stderr.toString().trim()}`);
    return r.stdout;
  }

  private async runRaw(command: string, opts: ExecOptions): Promise<RawResult> {
    const script = buildScript(command, opts);
    const stdin = typeof opts.stdin === 'string' ? Buffer.from(opts.stdin) : opts.stdin;
    const become = opts.become ?? this.defaults.become;
    const wrapped = become
      ? await this.becomer.wrap(script, opts.becomeUser ?? this.defaults.becomeUser ?? 'root', stdin)
      : { line: shellLine(script), stdin };
    if (stdin) this.stats.bytesOut += stdin.length;
    return this.count(wrapped.line, wrapped.stdin, opts);
  }

  private count(line: string, stdin: Buffer | undefined, limits: ExecLimits): Promise<RawResult> {
    this.stats.commands++;
    return this.exec(line, stdin, limits);
  }
}
