/**
 * Inventory loading (docs/file-formats.md): `all` with hosts/vars/children, group_vars/ and host_vars/
 * beside the file (NAME.yaml / NAME.yml, and every YAML/JSON file of a directory NAME/, as Ansible).
 * A host's vars merge: all < parent groups < child groups (deeper wins, siblings in
 * definition order) < the host's own vars < its host_vars file. Cycles in children are errors.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError, InputErrors, type Source } from '../errors.js';
import { collect } from '../load/collect.js';
import type { Vars } from '../types.js';
import { validateDocument } from '../load/schema.js';
import { loadVarsFile } from '../load/vars-file.js';
import { loadYamlFile, sourceAt, type DocPath, type YamlFile } from '../load/yaml-file.js';
import type { GroupSpec, HostSpec, Inventory } from './types.js';

interface GroupEntry {
  hosts?: Record<string, Vars | null> | null;
  vars?: Vars | null;
  children?: Record<string, GroupEntry | null> | null;
}

interface Builder {
  yf: YamlFile;
  groups: Map<string, GroupSpec & { depth: number; order: number; varSources: Record<string, Source> }>;
  /** Host -> own vars (merged over every place the host is listed) and its first source. */
  hosts: Map<string, { vars: Vars; source: HostSpec['source']; varSources: Record<string, Source> }>;
  /** Host -> groups that list it directly. */
  direct: Map<string, string[]>;
  errors: InputError[];
}

export async function loadInventory(file: string): Promise<Inventory> {
  const abs = resolve(file);
  const yf = loadYamlFile(abs);
  InputErrors.throwIfAny(validateDocument(yf, 'inventory'));
  const b: Builder = { yf, groups: new Map(), hosts: new Map(), direct: new Map(), errors: [] };
  walkGroup(b, 'all', (yf.data as { all: GroupEntry | null }).all, ['all'], []);
  InputErrors.throwIfAny(b.errors);

  const dir = dirname(abs);
  for (const g of b.groups.values()) {
    const extra = varsFileFor(join(dir, 'group_vars'), g.name, b.errors);
    if (extra) {
      Object.assign(g.vars, extra.vars);
      Object.assign(g.varSources, extra.sources);
    }
  }
  const ordered = [...b.groups.values()].sort((x, y) => x.depth - y.depth || x.order - y.order);
  const parents = new Map<string, string[]>();
  for (const g of b.groups.values()) for (const c of g.children) parents.set(c, [...(parents.get(c) ?? []), g.name]);
  const hosts = new Map<string, HostSpec>();
  for (const [name, h] of b.hosts) {
    const member = ancestors(b.direct.get(name) ?? [], parents);
    const groups = ordered.filter((g) => member.has(g.name));
    const vars: Vars = {};
    const varSources: Record<string, Source> = {};
    for (const g of groups) {
      Object.assign(vars, g.vars);
      Object.assign(varSources, g.varSources);
    }
    const own = varsFileFor(join(dir, 'host_vars'), name, b.errors);
    Object.assign(vars, h.vars, own?.vars ?? {});
    Object.assign(varSources, h.varSources, own?.sources ?? {});
    hosts.set(name, { name, vars, groups: groups.map((g) => g.name), source: h.source, varSources });
  }
  InputErrors.throwIfAny(b.errors);
  const groups = new Map<string, GroupSpec>();
  for (const g of b.groups.values()) {
    groups.set(g.name, { name: g.name, vars: g.vars, children: g.children, hosts: g.hosts, source: g.source });
  }
  return { file: abs, hosts, groups };
}

function walkGroup(b: Builder, name: string, entry: GroupEntry | null, chain: string[], path: DocPath): void {
  const source = sourceAt(b.yf, path.length ? path : ['all'], { key: true });
  let g = b.groups.get(name);
  if (!g) {
    g = { name, vars: {}, varSources: {}, children: [], hosts: [], source, depth: chain.length - 1, order: b.groups.size };
    b.groups.set(name, g);
  }
  g.depth = Math.max(g.depth, chain.length - 1);
  const here = path.length ? path : ['all'];
  Object.assign(g.vars, entry?.vars ?? {});
  for (const k of Object.keys(entry?.vars ?? {})) g.varSources[k] = sourceAt(b.yf, [...here, 'vars', k]);
  for (const [host, vars] of Object.entries(entry?.hosts ?? {})) {
    if (b.groups.has(host) || host === 'all') {
      b.errors.push(new InputError(`'${host}' is used both as a group and as a host`, sourceAt(b.yf, [...here, 'hosts', host], { key: true })));
      continue;
    }
    const h = b.hosts.get(host) ?? { vars: {}, source: sourceAt(b.yf, [...here, 'hosts', host], { key: true }), varSources: {} };
    b.hosts.set(host, h);
    Object.assign(h.vars, vars ?? {});
    for (const k of Object.keys(vars ?? {})) h.varSources[k] = sourceAt(b.yf, [...here, 'hosts', host, k]);
    if (!g.hosts.includes(host)) g.hosts.push(host);
    b.direct.set(host, [...(b.direct.get(host) ?? []), name]);
  }
  for (const [child, childEntry] of Object.entries(entry?.children ?? {})) {
    const childPath = [...here, 'children', child];
    if (chain.includes(child)) {
      b.errors.push(
        new InputError(`group '${child}' is its own ancestor: ${[...chain, child].join(' -> ')}`, sourceAt(b.yf, childPath, { key: true }), {
          expected: 'children that do not contain their parents',
        }),
      );
      continue;
    }
    if (b.hosts.has(child)) {
      b.errors.push(new InputError(`'${child}' is used both as a host and as a group`, sourceAt(b.yf, childPath, { key: true })));
      continue;
    }
    if (!g.children.includes(child)) g.children.push(child);
    walkGroup(b, child, childEntry, [...chain, child], childPath);
  }
}

/** Every group a host is in: the groups listing it, their ancestors, and `all`. */
function ancestors(direct: string[], parents: Map<string, string[]>): Set<string> {
  const out = new Set<string>(['all']);
  const todo = [...direct];
  while (todo.length) {
    const g = todo.pop() as string;
    if (out.has(g) && g !== 'all') continue;
    out.add(g);
    todo.push(...(parents.get(g) ?? []));
  }
  return out;
}

/**
 * The vars of group_vars/NAME or host_vars/NAME, as Ansible reads them: NAME.yaml, NAME.yml, NAME.json
 * and, when NAME/ is a directory, every .yaml/.yml/.json file below it (hidden ones skipped) in
 * lexical order, subdirectories included; a later file wins. With where each variable is written.
 */
function varsFileFor(dir: string, name: string, errors: InputError[]): { vars: Vars; sources: Record<string, Source> } | undefined {
  const files = ['.yaml', '.yml', '.json'].map((ext) => join(dir, name + ext)).filter((f) => existsSync(f));
  const sub = join(dir, name);
  if (isDir(sub)) files.push(...varsFilesIn(sub));
  if (files.length === 0) return undefined;
  const vars: Vars = {};
  const sources: Record<string, Source> = {};
  for (const file of files) {
    const loaded = collect(errors, () => loadVarsFile(file));
    if (!loaded) continue;
    Object.assign(vars, loaded.vars);
    for (const k of Object.keys(loaded.vars)) sources[k] = sourceAt(loaded.yaml, [k]);
  }
  return { vars, sources };
}

function varsFilesIn(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const path = join(dir, entry);
    if (isDir(path)) out.push(...varsFilesIn(path));
    else if (/\.(ya?ml|json)$/.test(entry)) out.push(path);
  }
  return out;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
