/**
 * SSH transport (ssh2): one connection per host for the whole run, commands as exec channels on it
 * (at most MAX_CHANNELS at once, below sshd's default MaxSessions of 10). The connect step alone is
 * retried with back-off; host keys are verified against known_hosts; an optional jump host is
 * reached first and the target is tunnelled through it. ssh2 directly: node-ssh was measured to
 * cost start-up and per-command CPU (docs/dependencies.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { constants, homedir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { connect as tcpConnect, type Socket } from 'node:net';
import type { ClientChannel, Client as SshClient, ConnectConfig } from 'ssh2';
import { ConnectError, HostKeyError, InterruptedError } from '../errors.js';
import { fingerprint, hostKeyAlgorithms, lookupKnownKeys, recordKnownKey } from './known-hosts.js';
import { ShellConnection, type ExecLimits, type RawResult } from './shell-connection.js';
import { watchLimits } from './watch-limits.js';
import type { ConnectionSettings } from './types.js';

const KEEPALIVE_INTERVAL_MS = 5_000;
const KEEPALIVE_COUNT_MAX = 3;
/** How long a stopped command's process group has between TERM and KILL. */
const KILL_GRACE_MS = 2_000;

const MAX_CHANNELS = 8;
/** A command cut off by a broken connection: how long lbrun tries to reconnect to kill it. */
const REAP_WINDOW_MS = 5_000;
/** How long a command stopped while starting is given to print its pid, so it can be killed. */
const PID_WAIT_MS = 5_000;
/** How long a command refused a channel (sshd's MaxSessions) keeps asking for one. */
const REFUSED_RETRY_MS = 5_000;

/**
 * ssh2's Client class (only it: ssh2's index also loads its server, key generation and HTTP(S)
 * agents, with Node's http, https and tls), loaded by the first connection, after its TCP connect
 * has started: its start-up (~5 ms of crypto probes) overlaps the handshake, and commands that
 * connect to nothing (validate, render) never pay it.
 */
let clientClass: Promise<typeof SshClient> | undefined;
const loadClient = () =>
  (clientClass ??= import(
    // @ts-expect-error @types/ssh2 types the package's index only; this file is the Client class it exports
    'ssh2/lib/client.js'
  ).then((m: { default: typeof SshClient }) => m.default));

export interface SshOptions {
  /** Trust an unknown (never a changed) host key and record it. */
  acceptNewHostKeys?: boolean;
  becomePassword?: string;
}

interface Endpoint {
  address: string;
  port: number;
  user: string;
}

export function parseJumpHost(spec: string, defaultUser: string): Endpoint {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec.trim());
  if (!m) throw new ConnectError(spec, `invalid jump host ${JSON.stringify(spec)}; expected user@host:port`);
  return { user: m[1] ?? defaultUser, address: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : 22 };
}

export class SshConnection extends ShellConnection {
  private client?: SshClient;
  private jump?: SshClient;
  private connecting?: Promise<void>;
  private broken?: Error;
  /** Kills in flight for stopped commands (close waits for them). */
  private readonly killing = new Set<Promise<void>>();
  private readonly channels = pLimit(MAX_CHANNELS);

  constructor(
    host: string,
    private readonly settings: ConnectionSettings,
    private readonly opts: SshOptions = {},
  ) {
    super(host, settings, opts.becomePassword);
  }

  connect(): Promise<void> {
    this.connecting ??= this.connectWithRetries().catch((e) => {
      this.connecting = undefined;
      throw e;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    // a command stopped by a timeout or an abort, or cut off by a broken connection, is being
    // killed: let that finish first (bounded), or its processes would outlive the run
    await this.killsDone();
    this.client?.end();
    this.jump?.end();
    this.client = this.jump = undefined;
    this.connecting = undefined;
  }

  private async connectWithRetries(): Promise<void> {
    const attempts = 1 + Math.max(0, this.settings.connectRetries);
    for (let i = 1; ; i++) {
      try {
        await this.connectOnce();
        return;
      } catch (e) {
        const fatal = e instanceof HostKeyError || /authentication/i.test(String((e as Error).message));
        if (fatal || i >= attempts) throw this.asConnectError(e);
        await new Promise((r) => setTimeout(r, 500 * 2 ** (i - 1)));
      }
    }
  }

  private asConnectError(e: unknown): ConnectError {
    if (e instanceof ConnectError) return e;
    const s = this.settings;
    return new ConnectError(
      this.host,
      `cannot connect to ${this.host} (${s.user}@${s.address}:${s.port}): ${(e as Error).message}`,
      { cause: e },
    );
  }

  private async connectOnce(): Promise<void> {
    const s = this.settings;
    let sock: ConnectConfig['sock'];
    if (s.jumpHost) {
      const jumpEnd = parseJumpHost(s.jumpHost, s.user);
      this.jump = await this.open(jumpEnd);
      sock = await new Promise((resolve, reject) =>
        this.jump!.forwardOut('127.0.0.1', 0, s.address, s.port, (err, stream) => (err ? reject(err) : resolve(stream))),
      );
    }
    this.client = await this.open({ address: s.address, port: s.port, user: s.user }, sock);
    this.broken = undefined;
    // after the handshake: a keepalive timeout or a reset marks the connection broken (running
    // commands then fail as unreachable) instead of crashing on an unhandled 'error' event
    this.client.on('error', (e: Error) => (this.broken ??= e));
    this.client.on('close', () => {
      this.broken ??= new Error('connection closed');
      this.connecting = undefined;
    });
  }

  private knownHostsFiles(): string[] {
    const files = [join(homedir(), '.ssh', 'known_hosts')];
    if (this.settings.knownHostsFile) files.unshift(this.settings.knownHostsFile);
    return files;
  }

  private async open(end: Endpoint, via?: ConnectConfig['sock']): Promise<SshClient> {
    // the TCP connect first, then ssh2 (loaded meanwhile, once); an error before ssh2 listens is kept
    let early: Error | undefined;
    const sock = via ?? directSocket(end, (e) => (early ??= e));
    const ClientClass = await loadClient();
    if (early) {
      sock.destroy();
      throw early;
    }
    const files = this.knownHostsFiles();
    const known = lookupKnownKeys(files, end.address, end.port).filter((k) => !k.revoked);
    let keyProblem: HostKeyError | undefined;
    const verify = (blob: Buffer): boolean => {
      keyProblem = this.checkHostKey(end, blob, files);
      return keyProblem === undefined;
    };
    const config: ConnectConfig = {
      host: end.address,
      port: end.port,
      username: end.user,
      readyTimeout: this.settings.connectTimeout * 1000,
      // a host whose link dies mid-command is noticed within ~20 s (else TCP waits for many minutes)
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      hostVerifier: verify,
      sock,
      ...this.credentials(),
    };
    // Ask for the key types we know for this host, so a host with several keys offers the recorded one.
    if (known.length > 0) {
      config.algorithms = { serverHostKey: hostKeyAlgorithms(known.map((k) => k.type)) as never };
    }
    return new Promise((resolve, reject) => {
      const client = new ClientClass();
      let settled = false;
      client.once('ready', () => {
        settled = true;
        resolve(client);
      });
      // ssh2 may emit a second error after the first (ECONNRESET, then "Connection lost before
      // handshake"): the listener stays, so a later one is not an uncaught exception.
      client.on('error', (err) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(keyProblem ?? err);
      });
      client.connect(config);
    });
  }

  /**
   * The key (or the agent) and only that method: ssh2 would first try "none", a round trip that
   * sshd answers in ~10 ms on every connection.
   */
  private credentials(): Pick<ConnectConfig, 'privateKey' | 'agent' | 'authHandler'> {
    const keyFile = this.settings.privateKeyFile;
    if (keyFile) {
      try {
        return { privateKey: readFileSync(keyFile), authHandler: ['publickey'] };
      } catch (e) {
        throw new ConnectError(this.host, `cannot read the private key ${keyFile}: ${(e as Error).message}`);
      }
    }
    if (process.env.SSH_AUTH_SOCK) return { agent: process.env.SSH_AUTH_SOCK, authHandler: ['agent'] };
    for (const name of ['id_ed25519', 'id_ecdsa', 'id_rsa']) {
      const file = join(homedir(), '.ssh', name);
      if (existsSync(file)) return { privateKey: readFileSync(file), authHandler: ['publickey'] };
    }
    throw new ConnectError(
      this.host,
      `no credentials for ${this.host}: set lbrun_ssh_key in the inventory or start an ssh-agent (SSH_AUTH_SOCK)`,
    );
  }

  /** undefined when the key is trusted (possibly recorded now); otherwise the refusal. */
  private checkHostKey(end: Endpoint, blob: Buffer, files: string[]): HostKeyError | undefined {
    const fp = fingerprint(blob);
    const b64 = blob.toString('base64');
    const entries = lookupKnownKeys(files, end.address, end.port);
    const where = `${end.address}:${end.port}`;
    const revoked = entries.find((k) => k.revoked && k.key === b64);
    if (revoked) {
      return new HostKeyError(this.host, `host key ${fp} of ${this.host} (${where}) is REVOKED in ${revoked.file}:${revoked.line}`, fp);
    }
    const valid = entries.filter((k) => !k.revoked);
    if (valid.some((k) => k.key === b64)) return undefined;
    if (valid.length > 0) {
      const old = valid.map((k) => `${k.file}:${k.line}`).join(', ');
      return new HostKeyError(
        this.host,
        `host key of ${this.host} (${where}) has CHANGED: the server offers ${fp}, but ${old} holds a different key. ` +
          'Refusing to connect (possible man-in-the-middle). If the host was really re-installed, remove the old line.',
        fp,
      );
    }
    if (this.opts.acceptNewHostKeys) {
      recordKnownKey(files[0], end.address, end.port, blob);
      return undefined;
    }
    return new HostKeyError(
      this.host,
      `host key of ${this.host} (${where}) is unknown: ${fp} is not in ${files.join(' or ')}. ` +
        'Check the fingerprint, then add it to known_hosts or re-run with --accept-new-host-keys.',
      fp,
    );
  }

  protected async exec(line: string, stdin: Buffer | undefined, limits: ExecLimits): Promise<RawResult> {
    if (limits.afterBreak && this.broken) return this.execFresh(line, stdin);
    await this.connect();
    // a channel's slot is free once sshd closed it, not when its command was given up on: a stopped
    // command's session lasts until its kill, and sshd refuses channels past MaxSessions
    const attempt = () =>
      new Promise<RawResult>((resolve, reject) => {
        this.channels(
          () =>
            new Promise<void>((freed) => {
              this.execChannel(line, stdin, limits, freed).then(resolve, reject);
            }),
        ).catch(reject);
      });
    // sshd frees a session's slot only after the closed channel is collected, after the channel
    // opens that came in the same read (seen with 25 quick commands at once), and a stopped
    // command's only once its kill has ended it: wait for the kills in flight, then try again
    const until = Date.now() + REFUSED_RETRY_MS;
    for (;;) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof ChannelRefusedError) || Date.now() >= until) throw e;
        await this.killsDone();
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  /** The kills in flight, done (bounded: a host that stays away keeps them). */
  private async killsDone(): Promise<void> {
    if (this.killing.size === 0) return;
    const bound = REAP_WINDOW_MS + KILL_GRACE_MS + 1000;
    await Promise.race([Promise.allSettled([...this.killing]), new Promise((r) => setTimeout(r, bound).unref())]);
  }

  /** TERM the process group of a stopped command, KILL what is left after KILL_GRACE_MS; tracked for close(). */
  private killGroup(client: SshClient, pid: string): Promise<void> {
    // a fresh connection when this one has no channel to spare (sshd's MaxSessions) or broke
    return this.track(runOn(client, this.killScript(pid)).then(
      () => undefined,
      () => this.reapOrphan(pid),
    ));
  }

  /** Keep a kill in flight for close() and killsDone(). */
  private track(p: Promise<void>): Promise<void> {
    this.killing.add(p);
    void p.finally(() => this.killing.delete(p));
    return p;
  }

  /**
   * A command stopped before its pid line came: the line is on its way, so wait for it (bounded by
   * PID_WAIT_MS), kill the group, and only then close the channel. Closed earlier, sshd drops a pid
   * line it has not forwarded yet while the command goes on running, out of reach.
   */
  private killOnPid(client: SshClient, stream: ClientChannel, pidOf: () => string | undefined): void {
    const done = new Promise<void>((resolve) => {
      const finish = (kill?: Promise<void>) => {
        clearTimeout(timer);
        stream.off('data', onData);
        stream.off('close', onClose);
        stream.close();
        resolve(kill);
      };
      const onData = () => {
        const pid = pidOf();
        if (pid) finish(this.killGroup(client, pid));
      };
      const onClose = () => finish();
      const timer = setTimeout(onClose, PID_WAIT_MS);
      stream.on('data', onData);
      stream.on('close', onClose);
    });
    void this.track(done);
  }

  /** The kill script of killGroup: TERM the group, KILL what is left after KILL_GRACE_MS. */
  private killScript(pid: string): string {
    const steps = Math.ceil(KILL_GRACE_MS / 100);
    return (
      `kill -TERM -- -${pid} 2>/dev/null; i=0; while [ $i -lt ${steps} ] && kill -0 -- -${pid} 2>/dev/null; ` +
      `do sleep 0.1; i=$((i+1)); done; kill -KILL -- -${pid} 2>/dev/null; true`
    );
  }

  /**
   * A command whose connection broke (sshd killed or restarted, a reset, a keepalive timeout) goes
   * on running on the host: sshd does not signal a session without a terminal. Kill its process
   * group over a fresh connection, so no stray process outlives the run. Best effort: a host that
   * stays unreachable (a link still down) keeps it.
   */
  private reapOrphan(pid: string): Promise<void> {
    return this.execFresh(this.killScript(pid)).then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * Run one command line over a fresh connection (the run's own has broken), retried for
   * REAP_WINDOW_MS: systemd restarts a killed sshd. close() waits for it (bounded). Direct
   * connections only: through a jump host the jump connection would have to be rebuilt too.
   */
  private execFresh(line: string, stdin?: Buffer): Promise<RawResult> {
    const s = this.settings;
    const done = (async (): Promise<RawResult> => {
      if (s.jumpHost) throw new ConnectError(this.host, `connection to ${this.host} is closed`);
      const until = Date.now() + REAP_WINDOW_MS;
      for (;;) {
        let client: SshClient | undefined;
        try {
          client = await this.open({ address: s.address, port: s.port, user: s.user });
          return await runOn(client, line, stdin);
        } catch (e) {
          if (Date.now() >= until) throw new ConnectError(this.host, `cannot reach ${this.host} again after its connection broke: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 250));
        } finally {
          client?.end();
        }
      }
    })();
    void this.track(done.then(
      () => undefined,
      () => undefined,
    ));
    return done;
  }

  /** Run LINE on a channel of the connection; `freed` is called once the channel is gone (or never opened). */
  private execChannel(line: string, stdin: Buffer | undefined, limits: ExecLimits, freed: () => void): Promise<RawResult> {
    const client = this.client;
    if (!client || this.broken) {
      freed();
      return Promise.reject(new ConnectError(this.host, `connection to ${this.host} is closed`));
    }
    return new Promise((resolve, reject) => {
      const refuse = (why: Error) => {
        freed();
        reject(why);
      };
      if (limits.signal?.aborted) return refuse(new InterruptedError(`interrupted before running on ${this.host}`));
      // The session leader prints its pid (= its process group, sshd calls setsid) before anything
      // else runs, so a timeout or abort can kill the whole group from a second channel.
      client.exec(`echo $$; exec ${line}`, (err, stream) => {
        if (err) {
          const E = /channel open failure/i.test(err.message) ? ChannelRefusedError : ConnectError;
          return refuse(new E(this.host, `cannot run a command on ${this.host}: ${err.message}`));
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let stopped: Error | undefined;
        let lateFree: NodeJS.Timeout | undefined;
        const pidOf = () => /^(\d+)\n/.exec(Buffer.concat(out).toString('latin1'))?.[1];
        const stop = (why: Error) => {
          if (stopped) return;
          stopped = why;
          release();
          reject(why);
          const pid = pidOf();
          if (pid) {
            void this.killGroup(client, pid);
            stream.close();
          } else this.killOnPid(client, stream, pidOf);
          // sshd ends the session once the command is killed; free the slot then at the latest
          lateFree = setTimeout(freed, PID_WAIT_MS + KILL_GRACE_MS + 1000).unref();
        };
        const release = watchLimits(limits, this.host, stop);
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('close', (code: number | null, signal?: string) => {
          release();
          clearTimeout(lateFree);
          freed();
          if (stopped) return;
          const all = Buffer.concat(out);
          const stdout = all.subarray(all.indexOf(10) + 1);
          if (code === null || code === undefined) {
            if (this.broken) {
              const pid = pidOf();
              if (pid) void this.reapOrphan(pid);
              return reject(new ConnectError(this.host, `connection to ${this.host} broke: ${this.broken.message}`));
            }
            return resolve({ rc: signal ? 128 + signalNumber(signal) : -1, stdout, stderr: Buffer.concat(errOut) });
          }
          resolve({ rc: code, stdout, stderr: Buffer.concat(errOut) });
        });
        stream.end(stdin);
      });
    });
  }
}

/** A TCP connection to END, started now; errors go to onError until ssh2 takes the socket. */
function directSocket(end: Endpoint, onError: (e: Error) => void): Socket {
  const sock = tcpConnect({ host: end.address, port: end.port });
  sock.on('error', onError);
  // ssh2 adds several listeners per event to a socket it is given
  sock.setMaxListeners(0);
  // Commands are small writes that wait for their answer: without TCP_NODELAY, Nagle holds each
  // one until the previous packet is acked, and the server's delayed ack costs ~40 ms per command.
  sock.setNoDelay(true);
  return sock;
}

/** sshd refused a channel (its MaxSessions reached). */
class ChannelRefusedError extends ConnectError {}

/** One command on a client of its own: its exit code and output. */
function runOn(client: SshClient, line: string, stdin?: Buffer): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    client.exec(line, (e, stream) => {
      if (e) return reject(e);
      const out: Buffer[] = [];
      const errOut: Buffer[] = [];
      stream.on('data', (d: Buffer) => out.push(d));
      stream.stderr.on('data', (d: Buffer) => errOut.push(d));
      stream.on('close', (code: number | null) => resolve({ rc: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(errOut) }));
      stream.end(stdin);
    });
  });
}

function signalNumber(name: string): number {
  return (constants.signals as Record<string, number>)[`SIG${name}`] ?? -129;
}
