import type { Vars } from '../types.js';
import type { HostCounts, RunEvent } from './events.js';

export interface RunOptions {
  playbookFile: string;
  inventoryFile: string;
  /** Plan only: no module's apply runs. */
  check?: boolean;
  /** Modules fill diffs; events carry unified diffs. */
  diff?: boolean;
  /** Run only tasks with one of these tags (plus `always`). */
  tags?: string[];
  skipTags?: string[];
  /** Host pattern that every play's hosts are intersected with. */
  limit?: string;
  /** Hosts worked on at once inside a batch (default 20). */
  forks?: number;
  /** -e values (highest precedence), already parsed. */
  extraVars?: Vars;
  /** Run notified handlers even on hosts that failed. */
  forceHandlers?: boolean;
  /** Only changes exitCode: 5 when something changed (or would change in check mode). */
  failOnChange?: boolean;
  /** Trust and remember unknown SSH host keys. */
  acceptNewHostKeys?: boolean;
  /** Password for sudo. Redacted from all output. */
  becomePassword?: string;
  /**
   * Asked once, after validation and before any host is contacted, when no becomePassword was given
   * and some task uses become on a host that does not log in as root. Return undefined for none.
   */
  askBecomePassword?: () => Promise<string | undefined>;
  /**
   * A host's reads go with the reads of its next tasks, in one round trip, and answer them while
   * nothing changes (default true; src/engine/host-reads.ts). false: every read runs on its own.
   */
  readAhead?: boolean;
  /** --start-at-task: begin at the first task of this name (shell patterns allowed). */
  startAtTask?: string;
  /** Emit module log events (-v). */
  verbose?: boolean;
  /** Abort: stop scheduling, abort running commands, close connections, recap marked interrupted. */
  signal?: AbortSignal;
  /** Receives every event, already redacted. */
  onEvent?: (e: RunEvent) => void;
}

export interface RunSummary {
  /** Recap counts per host, as ansible-playbook counts them (ok includes changed). */
  hosts: Record<string, HostCounts>;
  durationMs: number;
  interrupted: boolean;
  /** Exit code (docs/cli.md): 2 task failed, 4 unreachable, 5 fail-on-change, 130 interrupted, else 0. */
  exitCode: number;
}
