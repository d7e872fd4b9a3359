/**
 * A small real ModuleContext for module tests: a real connection (ssh to a loopback sshd, or local),
 * files and templates looked up in one directory, templates rendered with the project's renderer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '../../src/connection/types.js';
import { InputError } from '../../src/errors.js';
import { getModule } from '../../src/modules/index.js';
import { moduleStep, type StepOutcome } from '../../src/engine/module-step.js';
import type { HostRunState, ModuleContext } from '../../src/modules/types.js';
import { renderTemplateFile } from '../../src/vars/template.js';

export function newState(): HostRunState {
  return { pendingPackages: new Set(), pendingPaths: new Set(), pendingUsers: new Set(), cache: new Map() };
}

export function moduleContext(conn: Connection, over: Partial<ModuleContext> & { filesDir?: string } = {}): ModuleContext {
  const { filesDir = '/nonexistent', ...rest } = over;
  const vars = rest.vars ?? {};
  return {
    host: conn.host,
    conn,
    check: false,
    diff: true,
    become: false,
    vars,
    source: { file: 'test.yaml', line: 1 },
    findFile: (_kind, name) => {
      const p = join(filesDir, name);
      if (!existsSync(p)) throw new InputError(`file not found: ${name}`, { file: 'test.yaml', line: 1 });
      return p;
    },
    // the engine's own template rendering (src/engine/task-scope.ts)
    renderTemplate: (path) => renderTemplateFile(path, vars),
    state: newState(),
    signal: new AbortController().signal,
    log: () => {},
    ...rest,
  };
}

export type Outcome = StepOutcome;

/** What the engine does for one task: its own step (src/engine/module-step.ts), not a copy. */
export async function runModule(name: string, ctx: ModuleContext, args: Record<string, unknown>): Promise<Outcome> {
  const mod = getModule(name);
  if (!mod) throw new Error(`no module ${name}`);
  return moduleStep(mod, ctx, args);
}
