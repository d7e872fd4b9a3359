/**
 * One playbook per tool holding every case of a module (each task named CASE#N, ignore_errors on, so a
 * failure does not stop the others), run by ansible-playbook (json callback) and by lbrun (--json), with a
 * local connection. Returns each task's status: ok | changed | failed | skipped, or "refused" when lbrun
 * rejected the case's input before running (exit 3; those cases are taken out and the rest run again).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli } from '../../support/run-cli.js';
import type { Case } from './cases.js';
import { fill } from './world.js';

export type Tool = 'ansible' | 'lbrun';
export type Status = 'ok' | 'changed' | 'failed' | 'skipped' | 'refused' | 'missing';

export interface Batch {
  tool: Tool;
  /** Playbook directory: pb.yaml, files/, templates/ */
  root: string;
  cases: Array<{ c: Case; dir: string; prefix: string }>;
}

/** Task text of a case with names and ignore_errors added to each top-level item. */
function caseTasks(c: Case, dir: string, prefix: string): { text: string; count: number } {
  let n = 0;
  const text = fill(c.tasks, dir, prefix).replace(/^- /gm, () => `- name: "${c.id}#${++n}"\n  ignore_errors: true\n  `);
  return { text, count: n };
}

function writePlaybook(b: Batch, only: Set<string>): Map<string, { from: number; to: number; count: number }> {
  const lines = ['- hosts: localhost', ...(b.tool === 'ansible' ? ['  gather_facts: false'] : []), '  tasks:'];
  const where = new Map<string, { from: number; to: number; count: number }>();
  for (const { c, dir, prefix } of b.cases) {
    if (!only.has(c.id)) continue;
    const { text, count } = caseTasks(c, dir, prefix);
    const from = lines.length + 1;
    lines.push(...text.replace(/\n+$/, '').split('\n').map((l) => `    ${l}`));
    where.set(c.id, { from, to: lines.length, count });
  }
  if (where.size === 0) lines.push('    []');
  writeFileSync(join(b.root, 'pb.yaml'), `${lines.join('\n')}\n`);
  return where;
}

/** Controller files of every case (names must not clash between cases of one module). */
export function writeController(b: Batch): void {
  for (const { c } of b.cases) {
    for (const [name, text] of Object.entries(c.controller?.files ?? {})) {
      mkdirSync(dirname(join(b.root, 'files', name)), { recursive: true });
      writeFileSync(join(b.root, 'files', name), text);
    }
    for (const [name, t] of Object.entries(c.controller?.templates ?? {})) {
      mkdirSync(join(b.root, 'templates'), { recursive: true });
      writeFileSync(join(b.root, 'templates', name), typeof t === 'string' ? t : t[b.tool]);
    }
  }
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, cwd, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type Statuses = Map<string, Status[]>;

async function runAnsible(b: Batch, check: boolean): Promise<Statuses> {
  const where = writePlaybook(b, new Set(b.cases.map((x) => x.c.id)));
  const r = await sh('ansible-playbook', ['-i', 'localhost,', '-c', 'local', ...(check ? ['--check'] : []), 'pb.yaml'], {
    ANSIBLE_STDOUT_CALLBACK: 'json',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: '0',
    ANSIBLE_LOCALHOST_WARNING: '0',
    ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
    // the module goes to python's stdin: no temp directory made and removed per task (a third less wall time)
    ANSIBLE_PIPELINING: '1',
  }, b.root);
  let doc: { plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, Record<string, unknown>> }> }> };
  try {
    doc = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  } catch {
    throw new Error(`ansible-playbook gave no JSON (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  }
  const byName = new Map<string, Status>();
  for (const t of doc.plays[0]?.tasks ?? []) {
    const h = t.hosts.localhost ?? {};
    byName.set(t.task.name, h.failed ? 'failed' : h.skipped ? 'skipped' : h.changed ? 'changed' : 'ok');
  }
  return collect(where, (name) => byName.get(name));
}

async function runLbrun(b: Batch, check: boolean): Promise<Statuses> {
  const inv = join(b.root, 'inventory.yaml');
  writeFileSync(inv, 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n');
  const refused = new Set<string>();
  for (;;) {
    const only = new Set(b.cases.map((x) => x.c.id).filter((id) => !refused.has(id)));
    const where = writePlaybook(b, only);
    const r = await runCli([join(b.root, 'pb.yaml'), '-i', inv, '--json', ...(check ? ['--check'] : [])], { cwd: b.root, timeoutMs: 600_000 });
    if (r.code === 3) {
      const before = refused.size;
      for (const m of r.stderr.matchAll(/pb\.yaml:(\d+):\d+:/g)) {
        const line = Number(m[1]);
        for (const [id, w] of where) if (line >= w.from && line <= w.to) refused.add(id);
      }
      if (refused.size === before) throw new Error(`lbrun refused the playbook (exit 3) outside any case:\n${r.stderr.slice(-3000)}`);
      continue;
    }
    if (r.code !== 0 && r.code !== 2) throw new Error(`lbrun exit ${r.code}:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    const byName = new Map<string, Status>();
    for (const e of r.events) {
      if (e.event === 'host_result' && e.item === undefined) byName.set(String(e.task), e.status as Status);
    }
    const out = collect(where, (name) => byName.get(name));
    for (const id of refused) {
      const count = b.cases.find((x) => x.c.id === id)!.c.tasks.match(/^- /gm)!.length;
      out.set(id, Array<Status>(count).fill('refused'));
    }
    return out;
  }
}

function collect(where: Map<string, { count: number }>, get: (name: string) => Status | undefined): Statuses {
  const out: Statuses = new Map();
  for (const [id, w] of where) out.set(id, Array.from({ length: w.count }, (_, i) => get(`${id}#${i + 1}`) ?? 'missing'));
  return out;
}

export function runBatch(b: Batch, check: boolean): Promise<Statuses> {
  return b.tool === 'ansible' ? runAnsible(b, check) : runLbrun(b, check);
}
