/**
 * The bad-input corpus (test/fixtures/bad-input/<case>/): every case runs the real CLI and must
 * exit 3, name file:line (and column where the case says) with a message fragment on stderr, print
 * no stack trace, and contact no host: the inventories point at a TCP listener of this test that
 * counts connections (__PORT__ in the case files is replaced by its port).
 *
 * expect.yaml per case: file (relative to the case dir, or a command-line source like "-e x"),
 * line (null for a whole-file problem such as a missing or over-large file), column (optional),
 * message (a fragment of stderr), args (optional CLI arguments, paths relative to the case dir;
 * default: playbook.yaml -i inventory.yaml, or ../_inventory.yaml when the case has none),
 * generate (optional { file, bytes }: a large file written at test time, never committed).
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { connectionCounter } from '../support/connection-counter.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pLimit from 'p-limit';
import t from 'tap';
import { parse } from 'yaml';
import { REPO_ROOT, runCli, type CliResult } from '../support/run-cli.js';

const CORPUS = join(REPO_ROOT, 'test/fixtures/bad-input');

interface Expect {
  file: string;
  line: number | null;
  column?: number;
  message: string;
  args?: string[];
  generate?: { file: string; bytes: number };
}

/** Copy the corpus to a temp dir, replacing __PORT__ in every text file of a case. */
function materialise(dir: string, port: number): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) materialise(p, port);
    else {
      const bytes = readFileSync(p);
      if (bytes.includes('__PORT__')) writeFileSync(p, bytes.toString('utf8').replaceAll('__PORT__', String(port)));
    }
  }
}

/** A YAML playbook of about `bytes` bytes (well-formed, so only its size is wrong). */
function bigText(bytes: number): string {
  const line = '# ' + 'x'.repeat(77) + '\n';
  return '- name: Big\n  hosts: all\n  tasks: []\n' + line.repeat(Math.ceil(bytes / line.length));
}

function location(caseDir: string, e: Expect): string {
  const file = e.file.startsWith('-') ? e.file : resolve(caseDir, e.file);
  if (e.line === null) return `${file}:`;
  return e.column === undefined ? `${file}:${e.line}:` : `${file}:${e.line}:${e.column}`;
}

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  // BAD_INPUT_ONLY=regexp runs some cases (while working on them)
  .filter((n) => !process.env.BAD_INPUT_ONLY || new RegExp(process.env.BAD_INPUT_ONLY).test(n))
  .sort();

t.test('the corpus is large enough', async (t) => {
  t.ok(process.env.BAD_INPUT_ONLY || cases.length >= 60, `${cases.length} cases`);
});

const work = mkdtempSync(join(tmpdir(), 'lbrun-bad-input-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const totals = { tried: 0, exit3: 0, located: 0, messaged: 0, stackTraces: 0, connections: 0 };
const limit = pLimit(3);
const results = new Map<string, Promise<{ r: CliResult; connections: number; dir: string; expect: Expect }>>();
for (const name of cases) {
  results.set(
    name,
    limit(async () => {
      const counter = await connectionCounter();
      const dir = join(work, name);
      cpSync(join(CORPUS, name), dir, { recursive: true });
      cpSync(join(CORPUS, '_inventory.yaml'), join(work, `_inventory-${name}.yaml`));
      materialise(dir, counter.port);
      const expect = parse(readFileSync(join(dir, 'expect.yaml'), 'utf8')) as Expect;
      if (expect.generate) {
        const f = join(dir, expect.generate.file);
        mkdirSync(dirname(f), { recursive: true });
        writeFileSync(f, bigText(expect.generate.bytes));
      }
      // each case has its own copy of the shared inventory, pointing at its own listener
      const shared = join(dir, '_inventory.yaml');
      writeFileSync(shared, readFileSync(join(work, `_inventory-${name}.yaml`), 'utf8').replaceAll('__PORT__', String(counter.port)));
      const args = (expect.args ?? ['playbook.yaml', '-i', existsSync(join(dir, 'inventory.yaml')) ? 'inventory.yaml' : '_inventory.yaml']).map((a) =>
        a === '../_inventory.yaml' ? '_inventory.yaml' : a,
      );
      const r = await runCli(args, { cwd: dir, timeoutMs: 60_000 });
      // a connection attempt may still be on its way when the CLI ends
      await new Promise((res) => setTimeout(res, 50));
      const connections = counter.count();
      await counter.close();
      return { r, connections, dir, expect };
    }),
  );
}

for (const name of cases) {
  t.test(name, async (t) => {
    const { r, connections, dir, expect } = await (results.get(name) as Promise<{ r: CliResult; connections: number; dir: string; expect: Expect }>);
    if (expect.generate) t.ok(statSync(join(dir, expect.generate.file)).size >= expect.generate.bytes, 'the large file was generated');
    const where = location(dir, expect);
    const stack = /^\s+at /m.test(r.stderr + r.stdout) || /TypeError|ReferenceError|internal error/.test(r.stderr);
    totals.tried++;
    if (r.code === 3) totals.exit3++;
    if (r.stderr.includes(where)) totals.located++;
    if (r.stderr.includes(expect.message)) totals.messaged++;
    if (stack) totals.stackTraces++;
    totals.connections += connections;
    t.equal(r.code, 3, `exit 3\n${r.stderr}`);
    t.ok(r.stderr.includes(where), `stderr names ${where}\n${r.stderr}`);
    t.ok(r.stderr.includes(expect.message), `stderr says "${expect.message}"\n${r.stderr}`);
    t.notOk(stack, `no stack trace or internal error\n${r.stderr}`);
    t.equal(connections, 0, 'no host was contacted');
  });
}

t.test('figures', async (t) => {
  await Promise.all(results.values());
  t.equal(totals.tried, cases.length);
  t.comment(
    `FIGURE bad_inputs_tried=${totals.tried} exit_3=${totals.exit3} located_file_line=${totals.located} message_matched=${totals.messaged} stack_traces=${totals.stackTraces} hosts_contacted=${totals.connections}`,
  );
});
