/**
 * Property test: the repo's own valid project (playbooks/site.yaml, its roles, templates and the
 * production inventory pointed at a local listener) mutated at random with fast-check: a line
 * deleted (a key, an item), a name misspelt, a value's type swapped, a file cut at a random point.
 * Each mutated project runs through the real CLI (`lbrun site.yaml --check`). A mutation that is
 * still valid input (exit 0, 2 or 4: it ran) is counted and skipped honestly; every other sample
 * must exit 3 with a file:line:column inside the mutated file (or, when a definition was mutated -
 * defaults, inventory, handlers - at its use anywhere in the project), print no stack trace or
 * internal error, and contact no host: every host points at a TCP listener of this test that
 * counts connections.
 *
 * LBRUN_MUTATIONS=n (default 120) samples; LBRUN_MUTATION_SEED=s replays a run (the seed is printed).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connectionCounter } from '../support/connection-counter.js';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import pLimit from 'p-limit';
import t from 'tap';
import { parseDocument } from 'yaml';
import { REPO_ROOT, runCli } from '../support/run-cli.js';

const SAMPLES = Number(process.env.LBRUN_MUTATIONS ?? 120);
const SEED = Number(process.env.LBRUN_MUTATION_SEED ?? Date.now() % 2 ** 31);

/** The files a mutation may touch (relative to the project), and whether they hold definitions. */
const FILES: Array<{ path: string; definitions: boolean }> = [
  { path: 'playbooks/site.yaml', definitions: false },
  { path: 'inventory.yaml', definitions: true },
  { path: 'roles/common/tasks.yaml', definitions: false },
  { path: 'roles/common/defaults.yaml', definitions: true },
  { path: 'roles/haproxy/tasks.yaml', definitions: false },
  { path: 'roles/haproxy/defaults.yaml', definitions: true },
  { path: 'roles/haproxy/handlers.yaml', definitions: true },
  { path: 'roles/keepalived/tasks.yaml', definitions: false },
  { path: 'roles/keepalived/defaults.yaml', definitions: true },
  { path: 'roles/keepalived/handlers.yaml', definitions: true },
  { path: 'templates/haproxy.cfg.mustache', definitions: false },
  { path: 'templates/keepalived.conf.mustache', definitions: false },
];

type Kind = 'delete-line' | 'misspell' | 'swap-type' | 'cut';
const SWAPS = ['[1, 2]', '{ a: 1 }', '42', 'true', '"some text"', 'null', '-1', '.inf', '"{{ nosuch_var }}"', '!vault abc', '"0999"'];

interface Mutation {
  file: number;
  kind: Kind;
  /** Random numbers that pick where (taken modulo what the file offers). */
  at: number;
  how: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  file: fc.nat({ max: FILES.length - 1 }),
  kind: fc.constantFrom<Kind>('delete-line', 'misspell', 'swap-type', 'cut'),
  at: fc.nat(),
  how: fc.nat(),
});

/** The mutated text, or undefined when the mutation has nothing to act on in this file. */
function mutate(text: string, m: Mutation, template: boolean): string | undefined {
  const lines = text.split('\n');
  const content = lines.map((l, i) => [l, i] as const).filter(([l]) => l.trim() !== '' && !l.trim().startsWith('#'));
  switch (m.kind) {
    case 'cut':
      return text.slice(0, m.at % Math.max(1, text.length));
    case 'delete-line': {
      if (content.length === 0) return undefined;
      const [, i] = content[m.at % content.length];
      return [...lines.slice(0, i), ...lines.slice(i + 1)].join('\n');
    }
    case 'misspell': {
      const names = [...text.matchAll(template ? /\{\{[#^/&]?\s*([A-Za-z_][A-Za-z0-9_.]{2,})/g : /[A-Za-z_][A-Za-z0-9_]{2,}/g)];
      const hits = names.filter((h) => !isInComment(text, h.index));
      if (hits.length === 0) return undefined;
      const h = hits[m.at % hits.length];
      const word = h[1] ?? h[0];
      const start = h.index + h[0].indexOf(word);
      const p = 1 + (m.how % (word.length - 1));
      const variants = [word.slice(0, p) + word.slice(p + 1), word.slice(0, p - 1) + word[p] + word[p - 1] + word.slice(p + 1), word.slice(0, p) + word[p - 1] + word.slice(p)];
      const wrong = variants[m.how % variants.length];
      if (wrong === word) return undefined;
      return text.slice(0, start) + wrong + text.slice(start + word.length);
    }
    case 'swap-type': {
      if (template) return undefined;
      const pairs = content.filter(([l]) => /^\s*(- )?[A-Za-z_][\w-]*:\s+\S/.test(l));
      if (pairs.length === 0) return undefined;
      const [l, i] = pairs[m.at % pairs.length];
      const swapped = l.replace(/^(\s*(?:- )?[A-Za-z_][\w-]*:\s+).*$/, `$1${SWAPS[m.how % SWAPS.length]}`);
      return [...lines.slice(0, i), swapped, ...lines.slice(i + 1)].join('\n');
    }
  }
}

function isInComment(text: string, index: number): boolean {
  const lineStart = text.lastIndexOf('\n', index) + 1;
  const hash = text.slice(lineStart, index).indexOf('#');
  return hash >= 0 && !text.slice(lineStart, index).includes('{{');
}

/**
 * The project: the repo's playbook, roles and templates, and its production inventory whose hosts
 * reach this test's listener. Connection settings live in host_vars files that are never mutated,
 * so no mutation can point a host at a real address.
 */
function baseProject(dir: string): void {
  for (const d of ['playbooks', 'roles', 'templates']) cpSync(join(REPO_ROOT, d), join(dir, d), { recursive: true });
  const doc = parseDocument(readFileSync(join(REPO_ROOT, 'inventory/hosts.yaml'), 'utf8'), { version: '1.1' });
  const hosts = doc.getIn(['all', 'children', 'loadbalancers', 'hosts']) as { items: Array<{ key: { value: string }; value: { delete(k: string): void } }> };
  for (const pair of hosts.items) pair.value.delete('lbrun_host');
  writeFileSync(join(dir, 'inventory.yaml'), doc.toString());
  mkdirSync(join(dir, 'host_vars'));
  // a key, so that a valid run does try to connect (and the listener sees it)
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id_test')]);
  for (const pair of hosts.items) {
    writeFileSync(
      join(dir, 'host_vars', `${pair.key.value}.yaml`),
      `lbrun_host: 127.0.0.1\nlbrun_port: __PORT__\nlbrun_connect_timeout: 2\nlbrun_connect_retries: 0\nlbrun_ssh_key: ${join(dir, 'id_test')}\n`,
    );
  }
}

const work = mkdtempSync(join(tmpdir(), 'lbrun-mutations-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const base = join(work, 'base');
baseProject(base);

t.test('the unmutated project is valid input (it runs, and reaches the listener)', async (t) => {
  const r = await runSample(base, undefined);
  t.not(r.code, 3, r.stderr);
  t.not(r.code, 1, r.stderr);
  t.ok(r.connections > 0, 'the hosts were contacted: the listener does count');
});

interface Outcome {
  code: number;
  stderr: string;
  connections: number;
  dir: string;
}

async function runSample(from: string, write: { file: string; text: string } | undefined, name = 'base-run'): Promise<Outcome> {
  const dir = join(work, name);
  if (dir !== from) cpSync(from, dir, { recursive: true });
  const counter = await connectionCounter();
  for (const f of ['lb-01', 'lb-02', 'lb-03']) {
    const p = join(dir, 'host_vars', `${f}.yaml`);
    writeFileSync(p, readFileSync(p, 'utf8').replace('__PORT__', String(counter.port)));
  }
  if (write) writeFileSync(join(dir, write.file), write.text);
  const r = await runCli(['playbooks/site.yaml', '-i', 'inventory.yaml', '--check'], { cwd: dir, timeoutMs: 90_000, env: { LBRUN_VRRP_AUTH_PASS: undefined } });
  await new Promise((res) => setTimeout(res, 50));
  const connections = counter.count();
  await counter.close();
  if (dir !== base) rmSync(dir, { recursive: true, force: true });
  return { code: r.code, stderr: r.stderr + r.stdout, connections, dir };
}

t.test(`mutated projects (seed ${SEED}, ${SAMPLES} samples)`, async (t) => {
  t.comment(`replay with LBRUN_MUTATION_SEED=${SEED}`);
  const texts = new Map<string, string>();
  const samples: Array<{ m: Mutation; file: string; text: string }> = [];
  // one sample that is bad input by construction (a misspelt template tag), always among them
  const always: Mutation = { file: FILES.findIndex((f) => f.path === 'templates/haproxy.cfg.mustache'), kind: 'misspell', at: 0, how: 0 };
  for (const m of [always, ...fc.sample(mutationArb, { numRuns: SAMPLES * 3, seed: SEED })]) {
    if (samples.length >= SAMPLES) break;
    const file = FILES[m.file].path;
    const original = (texts.get(file) ?? texts.set(file, readFileSync(join(base, file), 'utf8')).get(file)) as string;
    const text = mutate(original, m, file.endsWith('.mustache'));
    if (text === undefined || text === original || samples.some((s) => s.file === file && s.text === text)) continue;
    samples.push({ m, file, text });
  }
  const limit = pLimit(4);
  const totals = { samples: samples.length, valid: 0, exit3: 0, located: 0, stackTraces: 0, contacted: 0 };
  const results = await Promise.all(samples.map((s, i) => limit(() => runSample(base, { file: s.file, text: s.text }, `m${i}`).then((r) => ({ s, r })))));
  for (const { s, r } of results) {
    const what = `${s.m.kind} in ${s.file} (${JSON.stringify(s.m)})`;
    const stack = /^\s+at /m.test(r.stderr) || /internal error|TypeError|ReferenceError|RangeError|TimeoutOverflowWarning/.test(r.stderr);
    if (stack) totals.stackTraces++;
    t.notOk(stack, `${what}: no stack trace or internal error\n${r.stderr.slice(0, 2000)}`);
    t.not(r.code, 1, `${what}: not an internal error`);
    if (r.code !== 3) {
      // a misspelt template tag names an undefined variable: bad input by construction, which must
      // not pass as "it ran" (every run here ends unreachable, so one that slipped past the offline
      // checks and reached the hosts would exit 4 like a valid one)
      t.notOk(misspeltTag(s), `${what}: a misspelt template name is bad input, yet it ran (exit ${r.code}, ${r.connections} connections)`);
      totals.valid++; // still valid input: it ran (a valid sample is not counted as a bad input)
      continue;
    }
    totals.exit3++;
    if (r.connections > 0) totals.contacted++;
    t.equal(r.connections, 0, `${what}: exit 3 and no host contacted`);
    const located = locations(r.stderr, r.dir);
    const inFile = located.some((l) => l.file === s.file);
    const ok = inFile || (FILES[s.m.file].definitions && located.length > 0);
    if (ok) totals.located++;
    t.ok(ok, `${what}: a file:line:column ${FILES[s.m.file].definitions ? 'in the project' : `in ${s.file}`}\n${r.stderr.slice(0, 2000)}`);
  }
  t.ok(totals.exit3 >= samples.length / 3, `most mutations are bad input (${totals.exit3} of ${samples.length})`);
  t.comment(
    `FIGURE mutation_samples=${totals.samples} still_valid=${totals.valid} exit_3=${totals.exit3} located=${totals.located} stack_traces=${totals.stackTraces} hosts_contacted=${totals.contacted}`,
  );
});

/** A misspelt {{tag}} name in a template whose new spelling is no word anywhere in the project. */
function misspeltTag(s: { m: Mutation; file: string; text: string }): boolean {
  if (s.m.kind !== 'misspell' || !s.file.endsWith('.mustache')) return false;
  const before = readFileSync(join(base, s.file), 'utf8');
  let i = 0;
  while (i < before.length && before[i] === s.text[i]) i++;
  const wrong = /^[A-Za-z0-9_.]*/.exec(s.text.slice(s.text.lastIndexOf('{', i) + 1).replace(/^[#^/&]?\s*/, ''))?.[0] ?? '';
  const project = FILES.map((f) => readFileSync(join(base, f.path), 'utf8')).join('\n');
  return wrong !== '' && !new RegExp(`(?<![\\w.])${wrong.replace(/\./g, '\\.')}(?![\\w])`).test(project);
}

/** file:line:column locations of stderr inside the project, whose line exists in that file. */
function locations(stderr: string, dir: string): Array<{ file: string; line: number }> {
  const out: Array<{ file: string; line: number }> = [];
  for (const m of stderr.matchAll(/(\/[^\s:]+):(\d+):(\d+)/g)) {
    if (!m[1].startsWith(dir + '/')) continue;
    const file = relative(dir, m[1]);
    out.push({ file, line: Number(m[2]) });
  }
  return out;
}
