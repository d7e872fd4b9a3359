/**
 * Every module lbrun knows, by name. Add one import and one entry per module file.
 * Controller-side modules (debug, assert, fail, set_fact, meta) are in src/modules/controller/.
 */
import type { ModuleDefinition } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModule = ModuleDefinition<any>;

const modules = new Map<string, AnyModule>();

export function registerModule(def: AnyModule): void {
  modules.set(def.name, def);
}

export function getModule(name: string): AnyModule | undefined {
  return modules.get(name);
}

export function moduleNames(): string[] {
  return [...modules.keys()].sort();
}
