/**
 * The controller itself as a host: commands run through /bin/sh -c in their own process group,
 * so a timeout or an abort kills everything the command started.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { InterruptedError } from '../errors.js';
import { spawnError } from '../setup/missing-command.js';
import { ShellConnection, type ExecLimits, type RawResult } from './shell-connection.js';
import { watchLimits } from './watch-limits.js';

/** How long a stopped command's process group has between TERM and KILL. */
const KILL_GRACE_MS = 2_000;

export class LocalConnection extends ShellConnection {
  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  protected exec(line: string, stdin: Buffer | undefined, limits: ExecLimits): Promise<RawResult> {
    return new Promise((resolve, reject) => {
      if (limits.signal?.aborted) return reject(new InterruptedError(`interrupted before running on ${this.host}`));
      // Node's stdin is a socket, which a command cannot open as /dev/stdin (ENXIO): with input, cat
      // hands it on through a real pipe, as ssh and Ansible's local connection give it.
      const argv = stdin === undefined ? ['-c', line] : ['-c', 'cat | /bin/sh -c "$1"', 'sh', line];
      const child = spawn('/bin/sh', argv, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let stopped: Error | undefined;
      const signalGroup = (sig: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          // already gone
        }
      };
      // TERM first (a write script's trap removes its temp files), KILL what is left after a grace
      let killTimer: NodeJS.Timeout | undefined;
      const kill = (why: Error) => {
        stopped ??= why;
        signalGroup('SIGTERM');
        // (also after the command closed: what it left behind in its group goes too)
        killTimer ??= setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS).unref();
      };
      const release = watchLimits(limits, this.host, kill);
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => {}); // the command may exit without reading its stdin
      child.stdin.end(stdin);
      child.on('error', (e) => {
        release();
        reject(spawnError('/bin/sh', e, 'a local command'));
      });
      child.on('close', (code, sig) => {
        release();
        if (stopped) return reject(stopped);
        const rc = code ?? (sig ? 128 + constants.signals[sig] : -1);
        resolve({ rc, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
    });
  }
}
