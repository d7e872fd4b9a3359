/**
 * Human output, shaped like ansible-playbook's: PLAY / TASK banners, a line per host per task,
 * unified diffs with --diff, then the PLAY RECAP and the total time. Colours only when asked
 * (a TTY without NO_COLOR; see useColour).
 */
import pc from 'picocolors';
import type { HostCounts, HostResultEvent, RecapEvent, RunEvent } from '../engine/events.js';

type Colors = ReturnType<typeof pc.createColors>;

export interface HumanOptions {
  colour: boolean;
  verbose: boolean;
  /** Banner width (Ansible: the terminal's, at least 80). */
  width?: number;
}

/** stdout is a TTY, NO_COLOR is not set, TERM is not dumb (FORCE_COLOR forces). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Modules whose message is the point of the task: shown without -v. */
const TALKATIVE = new Set(['debug', 'assert', 'fail']);

export class HumanReporter {
  private readonly c: Colors;
  private readonly width: number;
  private module = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly opts: HumanOptions,
  ) {
    this.c = pc.createColors(opts.colour);
    this.width = Math.max(80, opts.width ?? 80);
  }

  handle(e: RunEvent): void {
    switch (e.event) {
      case 'play_start':
        this.banner(`PLAY [${e.play}]`);
        if (e.hosts.length === 0) this.line(this.c.cyan('skipping: no hosts matched'));
        break;
      case 'task_start':
        this.module = e.module;
        this.banner(`${e.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.task}]`);
        break;
      case 'host_result':
        this.hostResult(e);
        break;
      case 'retry': {
        const item = e.item === undefined ? '' : ` (item=${typeof e.item === 'string' ? e.item : JSON.stringify(e.item)})`;
        const host = e.delegated_to ? `${e.host} -> ${e.delegated_to}` : e.host;
        this.line(this.c.red(`FAILED - RETRYING: [${host}]: ${e.task}${item} (${e.retries_left} retries left).`));
        break;
      }
      case 'handler_notified':
        if (this.opts.verbose) this.line(`NOTIFIED HANDLER ${e.handler} for ${e.host}`);
        break;
      case 'play_abort':
        this.line('');
        this.line(this.c.red(`NO MORE HOSTS LEFT: ${e.reason}`));
        break;
      case 'log':
        this.line(this.c.dim(`  [${e.host}] ${e.msg}`));
        break;
      case 'recap':
        this.recap(e);
        break;
      default:
        break;
    }
  }

  private hostResult(e: HostResultEvent): void {
    // A loop task's own result follows its items' lines: print it only when there were no items.
    if (e.items !== undefined && e.items > 0) return;
    const c = this.c;
    const item = e.item === undefined ? '' : ` (item=${typeof e.item === 'string' ? e.item : JSON.stringify(e.item)})`;
    const host = e.delegated_to ? `[${e.host} -> ${e.delegated_to}]` : `[${e.host}]`;
    switch (e.status) {
      case 'ok':
      case 'changed': {
        const colour = e.status === 'ok' ? c.green : c.yellow;
        const msg = e.msg !== undefined && (TALKATIVE.has(this.module) || this.opts.verbose || e.unknown) ? ` => ${e.msg}` : '';
        this.line(colour(`${e.status}: ${host}${item ? ` =>${item}` : ''}${msg}`));
        break;
      }
      case 'skipped':
        this.line(c.cyan(`skipping: ${host}${item ? ` =>${item}` : ''}`));
        break;
      case 'unreachable':
        this.line(c.red(`unreachable: ${host} => ${e.msg ?? ''}`));
        break;
      case 'failed': {
        const msg = e.msg ?? 'failed';
        const [first, ...more] = msg.split('\n');
        this.line(c.red(`failed: ${host}${item} => ${first}`));
        for (const l of more) this.line(c.red(`    ${l}`));
        // rc and stderr's last lines, unless the message already says them
        if (e.rc !== undefined && !msg.includes(String(e.rc))) this.line(c.red(`    rc: ${e.rc}`));
        for (const l of e.stderr?.split('\n') ?? []) if (!msg.includes(l)) this.line(c.red(`    stderr: ${l}`));
        if (this.opts.verbose) for (const l of e.stdout?.split('\n') ?? []) this.line(c.red(`    stdout: ${l}`));
        if (e.ignored) this.line(c.cyan('...ignoring'));
        break;
      }
    }
    for (const d of e.diff ?? []) this.diff(d.summary ?? d.patch, d.summary !== undefined ? d.path : undefined);
  }

  private diff(text: string, summaryPath?: string): void {
    const c = this.c;
    if (summaryPath !== undefined) {
      this.line(`${summaryPath}: ${text}`);
      return;
    }
    for (const l of text.replace(/\n$/, '').split('\n')) {
      if (l.startsWith('+++') || l.startsWith('---')) this.line(c.bold(l));
      else if (l.startsWith('+')) this.line(c.green(l));
      else if (l.startsWith('-')) this.line(c.red(l));
      else if (l.startsWith('@@')) this.line(c.cyan(l));
      else this.line(l);
    }
  }

  private recap(e: RecapEvent): void {
    this.banner(e.interrupted ? 'PLAY RECAP [interrupted]' : 'PLAY RECAP');
    for (const [host, counts] of Object.entries(e.hosts)) this.line(this.recapLine(host, counts));
    this.line('');
    const mode = e.check ? ' (check mode: nothing was changed)' : '';
    const stop = e.interrupted ? ' (interrupted)' : '';
    this.line(`Total time: ${(e.duration_ms / 1000).toFixed(2)}s${mode}${stop}`);
  }

  /** "lb-01                      : ok=3    changed=1    unreachable=0    failed=0 ..." like Ansible. */
  private recapLine(host: string, n: HostCounts): string {
    const c = this.c;
    const hostColour = n.failed > 0 || n.unreachable > 0 ? c.red : n.changed > 0 ? c.yellow : c.green;
    const field = (name: keyof HostCounts, colour: (s: string) => string) => {
      const s = `${name}=${String(n[name]).padEnd(4)}`;
      return n[name] !== 0 ? colour(s) : s;
    };
    return [
      `${hostColour(host.padEnd(26))} :`,
      field('ok', c.green),
      field('changed', c.yellow),
      field('unreachable', c.red),
      field('failed', c.red),
      field('skipped', c.cyan),
      field('rescued', c.magenta),
      field('ignored', c.magenta),
    ]
      .join(' ')
      .trimEnd();
  }

  private banner(title: string): void {
    this.line('');
    this.line(`${title} ${'*'.repeat(Math.max(3, this.width - title.length - 1))}`);
  }

  private line(text: string): void {
    this.write(`${text}\n`);
  }
}
