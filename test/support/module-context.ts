/**
 * A small real ModuleContext for module tests: a real connection (ssh to a loopback sshd, or local),
 * files and templates looked up in one directory, templates rendered with the project's renderer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from '../../src/connection/types.js';
import { InputError } from '../../src/errors.js';
import { getModule } from '../../src/modules/index.js';
import type { ApplyResult, HostRunState, ModuleContext, PlanResult } from '../../src/modules/types.js';
import { renderString } from '../../src/vars/render.js';

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
    renderTemplate: (path) => renderString(readFileSync(path, 'utf8'), vars, { file: path }),
    state: newState(),
    signal: new AbortController().signal,
    log: () => {},
    ...rest,
  };
}

export interface Outcome {
  plan: PlanResult;
  applied?: ApplyResult;
  changed: boolean;
}

/** What the engine does for one task: plan, then apply when changed and not in check mode. */
export async function runModule(name: string, ctx: ModuleContext, args: Record<string, unknown>): Promise<Outcome> {
  const mod = getModule(name);
  if (!mod) throw new Error(`no module ${name}`);
  const plan = await mod.plan(ctx, args);
  if (!plan.changed || ctx.check) return { plan, changed: plan.changed };
  const applied = await mod.apply(ctx, args, plan);
  return { plan, applied, changed: applied.changed ?? plan.changed };
}
