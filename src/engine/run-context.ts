/** What every part of one run shares: inputs, options, per-host memory, counters, the event sink. */
import type { Inventory } from '../inventory/types.js';
import type { HostRunState } from '../modules/types.js';
import type { Vars } from '../types.js';
import type { PlaybookSpec, TaskSpec } from '../playbook/types.js';
import type { Redactor } from '../secrets/redact.js';
import type { ConnectionPool } from './connections.js';
import type { RunEvent } from './events.js';
import type { Recap } from './recap.js';
import type { RunOptions } from './types.js';

/** Per-host memory that lives for the whole run (across plays). */
export interface HostMemory {
  /** Registered results and set_fact facts (the "registered" precedence level). */
  registered: Vars;
  state: HostRunState;
}

export interface RunContext {
  options: RunOptions;
  playbook: PlaybookSpec;
  inventory: Inventory;
  inventoryDir: string;
  redactor: Redactor;
  /** Every name listed in any secret_vars list. */
  secretNames: Set<string>;
  recap: Recap;
  pool: ConnectionPool;
  /** forks: at most this many hosts work at once. */
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  signal: AbortSignal;
  /** Hosts that failed or were unreachable: they take no part in later plays. */
  gone: Set<string>;
  memory(host: string): HostMemory;
  emit(e: RunEvent): void;
  /** --start-at-task: false for the tasks before the first one it names (src/engine/start-at.ts). */
  startAt?: (task: TaskSpec) => boolean;
}

export function newHostMemory(): HostMemory {
  return {
    registered: {},
    state: { pendingPackages: new Set(), pendingPaths: new Set(), pendingUsers: new Set(), cache: new Map() },
  };
}
