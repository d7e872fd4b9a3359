/**
 * One interface for every transport (local, ssh). A connection is opened once per host per run and
 * carries every command of that run (docs/architecture.md: "one connection per host per run").
 */

export interface ExecOptions {
  /** Working directory for the command. */
  cwd?: string;
  /** Extra environment variables (values are quoted safely by the transport). */
  env?: Record<string, string>;
  /** Data written to the command's standard input, then closed. */
  stdin?: string | Buffer;
  /** Run through privilege escalation (sudo) unless already root. Default: the connection's own setting. */
  become?: boolean;
  /** User to become (default root). */
  becomeUser?: string;
  /** Kill the command (and fail with TaskTimeoutError) after this many ms. */
  timeoutMs?: number;
  /** Abort the command (SIGINT/SIGTERM of the run). */
  signal?: AbortSignal;
  /**
   * A clean-up after a fault (a temp file to remove): when the connection has broken, run it over a
   * fresh one (SSH: retried for a few seconds, as systemd brings a killed sshd back).
   */
  afterBreak?: boolean;
  /**
   * The command only reads the host (a module's facts): it changes nothing there, so it voids no
   * read made ahead, and it may be answered by one (src/engine/host-reads.ts). Any command without
   * it counts as a change.
   */
  read?: boolean;
  /** The engine's reads of the host's next tasks, sent in the same round trip as this read. */
  ahead?: (limit: number) => ReadRequest[];
  /** How this read joins others of its kind in one command when they share a round trip. */
  join?: ReadJoin;
  /** Work this read shares with reads of each kind in a round trip (ReadPrelude). */
  preludes?: ReadPrelude[];
}

/**
 * Work that reads of one kind share in a round trip of reads made ahead: a script run once before
 * them, for all their items, that makes their own commands cheaper without changing what any of
 * them prints (file facts: one `stat` and one `sha256sum` for every path, which each read's own
 * `stat` and `sha256sum` then answer from). It prints nothing; what it does not cover, each read's
 * own command does as it would alone.
 */
export interface ReadPrelude {
  /** Reads with the same kind share one prelude. */
  kind: string;
  /** What this read brings to it (paths). */
  items: string[];
  /** The prelude for these items (all the kind's reads in the round trip, without repeats). */
  script(items: string[]): string;
}

/**
 * Reads of one kind that one command answers together (`systemctl show` of several units): in a
 * round trip of reads made ahead they run as one command, each read given its own part of the
 * output. The parts must be what each read's own command prints; where they cannot be told apart
 * (an exit code other than 0, anything on stderr, split's undefined), each read runs on its own.
 */
export interface ReadJoin {
  /** Reads of the same kind join: it names the command shape (the tool and its fixed options). */
  kind: string;
  /** What this read asks about (a unit name). */
  item: string;
  /** The one command for these items, in order. */
  command(items: string[]): string;
  /** That command's stdout as each item's own, in order; undefined when it is not exactly that. */
  split(stdout: string, count: number): string[] | undefined;
}

/** One read the engine knows a later task will make: its command and options. */
export interface ReadRequest {
  command: string;
  opts: ExecOptions;
}

export interface ExecResult {
  /** Exit status; a command killed by a signal has rc 128+n (or -1 when unknown). */
  rc: number;
  stdout: string;
  stderr: string;
}

export interface PutOptions {
  /** File mode, e.g. 0o640. */
  mode?: number;
  become?: boolean;
}

/** Counters for benchmarks and -v output. */
export interface ConnectionStats {
  /** Commands executed (each is one round trip on an open connection). */
  commands: number;
  /** Files uploaded. */
  puts: number;
  /** Bytes sent as file contents or stdin. */
  bytesOut: number;
}

export interface Connection {
  /** Inventory name of the host. */
  readonly host: string;
  readonly stats: ConnectionStats;
  /** Open the transport. Throws ConnectError (HostKeyError for key problems). Idempotent. */
  connect(): Promise<void>;
  /**
   * Run a command line through /bin/sh -c on the host. The caller quotes every argument it puts into
   * the line (see quote.ts). Never throws for a non-zero rc; throws ConnectError if the transport
   * broke, TaskTimeoutError on timeout.
   */
  run(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Write a file on the host (not atomic by itself: modules write a temp file and rename). */
  put(path: string, data: string | Buffer, opts?: PutOptions): Promise<void>;
  /** Read a file from the host. */
  get(path: string, opts?: { become?: boolean }): Promise<Buffer>;
  /** Close the transport; safe to call twice. */
  close(): Promise<void>;
}

/** Connection settings of one host, read from its variables (see inventory/connection-vars.ts). */
export interface ConnectionSettings {
  kind: 'ssh' | 'local';
  /** Address to connect to (default: the inventory name). */
  address: string;
  port: number;
  user: string;
  /** Path of a private key file (ssh-agent is used when SSH_AUTH_SOCK is set and no key is given). */
  privateKeyFile?: string;
  /** Extra known_hosts file given by the inventory (the user's ~/.ssh/known_hosts is read too). */
  knownHostsFile?: string;
  /** Optional jump host "user@host:port". */
  jumpHost?: string;
  /** Seconds to wait for the TCP/SSH handshake. */
  connectTimeout: number;
  /** Connect retries (with back-off) for the connect step only. */
  connectRetries: number;
  /** Become (sudo) by default for this host. */
  become: boolean;
  becomeUser?: string;
}
