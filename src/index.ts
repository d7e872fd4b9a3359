/**
 * The public API of lbrun: run a playbook (with an event stream), or load and check its inputs.
 *
 *   import { run } from 'lbrun';
 *   const summary = await run({ playbookFile: 'playbooks/site.yaml', inventoryFile: 'inventory/lab.yaml',
 *                               check: true, onEvent: (e) => console.log(e) });
 *   process.exitCode = summary.exitCode;
 */
export { run, DEFAULT_FORKS } from './engine/run.js';
export type { RunOptions, RunSummary } from './engine/types.js';
export type {
  RunEvent,
  RunStartEvent,
  PlayStartEvent,
  BatchStartEvent,
  TaskStartEvent,
  HostResultEvent,
  HandlerNotifiedEvent,
  PlayAbortEvent,
  LogEvent,
  RecapEvent,
  HostCounts,
  HostStatus,
  DiffEvent,
} from './engine/events.js';
export { loadInventory } from './inventory/load.js';
export { loadPlaybook } from './playbook/load.js';
export { validateProject } from './validate/walk.js';
export { renderProject } from './validate/render.js';
export { getModule, moduleNames, registerModule } from './modules/index.js';
export type { ModuleDefinition, ModuleContext, PlanResult, ApplyResult, HostRunState } from './modules/types.js';
export type { FileDiff, Vars } from './types.js';
export type { Inventory, HostSpec, GroupSpec } from './inventory/types.js';
export type { PlaybookSpec, PlaySpec, TaskSpec, HandlerSpec, RoleSpec } from './playbook/types.js';
export type { Connection, ConnectionSettings, ExecOptions, ExecResult } from './connection/types.js';
export * from './errors.js';
