/**
 * Privilege escalation through sudo, shared by every transport.
 *
 * Once per connection lbrun asks the host who it is and whether sudo needs a password
 * (`sudo -k -n true`: -k ignores cached credentials, so the answer does not change later). Root
 * needs no sudo. Without a password requirement commands run through `sudo -n`. With one, they run
 * through `sudo -k -S -p ''` and the password is the first line of the command's stdin: because -k
 * makes sudo ask every time, the password is always consumed by sudo and never reaches the
 * command. The password is checked once (so a wrong one cannot eat the command's own stdin on
 * retries) and never appears in a command line, output or error.
 */
import { TaskError } from '../errors.js';
import { quote } from './quote.js';

export const BECOME_PROBE =
  'id -u; if command -v sudo >/dev/null 2>&1; then if sudo -k -n true >/dev/null 2>&1; then echo nopasswd; else echo password; fi; else echo nosudo; fi';

export type SudoMode = 'nopasswd' | 'password' | 'nosudo';

export interface BecomeFacts {
  uid: number;
  sudo: SudoMode;
}

export function parseBecomeProbe(stdout: string): BecomeFacts {
  const [uid, sudo] = stdout.trim().split('\n');
  const mode = sudo?.trim();
  if (!/^\d+$/.test(uid ?? '') || (mode !== 'nopasswd' && mode !== 'password' && mode !== 'nosudo')) {
    throw new Error(`unexpected answer to the become probe: ${JSON.stringify(stdout)}`);
  }
  return { uid: Number(uid), sudo: mode };
}

/** A command line and its stdin, ready for the transport. */
export interface WrappedCommand {
  line: string;
  stdin?: Buffer;
}

/** The plain line for a script: `/bin/sh -c 'script'` (independent of the login shell). */
export function shellLine(script: string): string {
  return `/bin/sh -c ${quote(script)}`;
}

/** Runs a ready command line on the host, without escalation. */
export type RawRunner = (line: string, stdin?: Buffer) => Promise<{ rc: number; stdout: Buffer }>;

export class Become {
  private facts?: Promise<BecomeFacts>;
  private passwordChecked?: Promise<void>;

  constructor(
    private readonly host: string,
    private readonly runRaw: RawRunner,
    private readonly password?: string,
  ) {}

  /** Wrap a script so it runs as `user` (root by default). */
  async wrap(script: string, user: string, stdin?: Buffer): Promise<WrappedCommand> {
    const facts = await this.probe();
    if (facts.uid === 0 && user === 'root') return { line: shellLine(script), stdin };
    if (facts.sudo === 'nosudo') {
      throw new TaskError(`become to ${user} on ${this.host} needs sudo, which is not installed there`);
    }
    const sudoAs = `-H -u ${quote(user)} -- ${shellLine(script)}`;
    if (facts.uid === 0 || facts.sudo === 'nopasswd') return { line: `sudo -n ${sudoAs}`, stdin };
    await this.checkPassword();
    const secret = Buffer.from(`${this.password}\n`);
    return { line: `sudo -k -S -p '' ${sudoAs}`, stdin: stdin ? Buffer.concat([secret, stdin]) : secret };
  }

  private probe(): Promise<BecomeFacts> {
    this.facts ??= this.runRaw(shellLine(BECOME_PROBE)).then((r) => parseBecomeProbe(r.stdout.toString()));
    return this.facts;
  }

  private checkPassword(): Promise<void> {
    this.passwordChecked ??= (async () => {
      if (this.password === undefined) {
        throw new TaskError(
          `sudo on ${this.host} needs a password: set LBRUN_BECOME_PASSWORD (or run on a TTY to be asked)`,
        );
      }
      const r = await this.runRaw(`sudo -k -S -p '' -- true`, Buffer.from(`${this.password}\n`));
      if (r.rc !== 0) throw new TaskError(`sudo on ${this.host} rejected the become password`);
    })();
    return this.passwordChecked;
  }
}
