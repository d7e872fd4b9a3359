/**
 * Differential cases (test/differential/cases/MODULE.yaml) and the table of deliberate differences
 * (test/differential/deliberate.yaml). A case: starting files under its own directory (`__D__` in any
 * string), accounts (`__U__` is a per-run name prefix), controller files, and tasks as raw Ansible
 * YAML text (kept as written, so unquoted `0644` reaches both tools as YAML 1.1 octal).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const DIFF_DIR = fileURLToPath(new URL('../', import.meta.url));

export interface FileSpec {
  content?: string;
  /** base64 bytes instead of content */
  bytes?: string;
  mode?: string;
  owner?: string;
  group?: string;
  dir?: boolean;
  link?: string;
}

export interface Case {
  /** MODULE/name */
  id: string;
  files: Record<string, string | FileSpec>;
  /** Controller files beside the playbook: files/NAME, templates/NAME (a template may differ per tool). */
  controller?: { files?: Record<string, string>; templates?: Record<string, string | { ansible: string; lbrun: string }> };
  users?: string[];
  groups?: string[];
  tasks: string;
  /** Run only the real run (e.g. a command whose check verdict depends on the run). */
  noCheck?: boolean;
}

export type Aspect = 'run1.status' | 'run1.files' | 'run2.status' | 'run2.files' | 'check.status' | 'check.untouched' | 'check.verdict';

export interface Deliberate {
  /** Glob over case ids (`*` = any characters). */
  cases: string;
  aspects: Aspect[];
  /** For status aspects: the tolerated per-task pairs "expected>lbrun" (e.g. "skipped>changed"); any if absent. */
  pairs?: string[];
  reason: string;
}

export function loadCases(module: string): Case[] {
  const raw = parse(readFileSync(`${DIFF_DIR}cases/${module}.yaml`, 'utf8')) as Array<Omit<Case, 'id'> & { id: string }>;
  const seen = new Set<string>();
  return raw.map((c) => {
    const id = `${module}/${c.id}`;
    if (seen.has(id)) throw new Error(`duplicate case id ${id}`);
    seen.add(id);
    if (typeof c.tasks !== 'string' || !/^- /m.test(c.tasks)) throw new Error(`${id}: tasks must be YAML text of a list`);
    return { ...c, id, files: c.files ?? {} };
  });
}

export function loadDeliberate(): Deliberate[] {
  return parse(readFileSync(`${DIFF_DIR}deliberate.yaml`, 'utf8')) as Deliberate[];
}

export function globMatch(glob: string, s: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(s);
}
