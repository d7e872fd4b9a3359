/**
 * The bad-input corpus (test/fixtures/bad-input/<case>/): every case runs the real CLI and must
 * exit 3 with a stderr line `file:line:column: ...` that holds the case's message, print no stack
 * trace, and contact no host. Every case's inventory points its hosts at a TCP listener of this test
 * that counts connections (__PORT__ in the case files is replaced by its port); a case whose
 * inventory file is itself the bad input and names no host (missing or empty) is counted apart.
 *
 * expect.yaml per case (all of file, line, column and message are required):
 * - file: relative to the case dir, or a command-line source: `-e <arg>` (the argument as lbrun
 *   names it, values hidden: `-e port=...`, `-e {...}`, `-e @extra.yaml`), `--limit`, `--tags`,
 *   `--skip-tags`. A command-line source has line 1 and the column of the offending character in
 *   the option's value (`-e 1st=2` -> `-e ...:1:1`; `-e @nothere.yaml` -> `-e @nothere.yaml:1:2`).
 * - line, column: 1-based, as an editor counts them (a tab, a multi-byte character: one column)
 *   in the file the error names: the key or value that is wrong; inside an expression, the
 *   offending name or the character the parser stopped at; in a Mustache template, the tag ({{)
 *   that holds the name; an unclosed quote or bracket at its opening; a templated variable value
 *   where it is written. A file that cannot be read is blamed where it is named (the
 *   import_playbook, vars_files entry, role entry, template src or -e @ that names it); a file
 *   named only by a path on the command line (the playbook, -i) or one too large is blamed at its
 *   own line 1 column 1 (`nothere.yaml:1:1: cannot read file: ENOENT`).
 * - message: a fragment of lbrun's own words on that same line (what was expected or why), not
 *   only the user's token.
 * - args (optional CLI arguments, paths relative to the case dir; default: playbook.yaml -i
 *   inventory.yaml, or ../_inventory.yaml when the case has none), generate (optional
 *   { file, bytes }: a large file written at test time, never committed).
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
  line: number;
  column: number;
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
  return `${file}:${e.line}:${e.column}: `;
}

/** The stderr line that starts at the case's location and holds its message (undefined: none). */
function locatedLine(stderr: string, where: string, message: string): string | undefined {
  return stderr.split('\n').find((l) => l.startsWith(where) && l.includes(message));
}

/**
 * Whether the case's inventory can record a contact: it names at least one host whose port is the
 * counting listener's (__PORT__ in the committed file). 'no-hosts': the inventory file is itself the
 * bad input and names no host (missing or empty); anything else that cannot record a contact fails.
 */
function inventoryRecords(caseDir: string, args: string[]): 'yes' | 'no' | 'no-hosts' {
  const i = args.indexOf('-i');
  const name = i >= 0 ? args[i + 1] : existsSync(join(caseDir, 'inventory.yaml')) ? 'inventory.yaml' : '../_inventory.yaml';
  const file = resolve(caseDir, name);
  if (!existsSync(file)) return 'no-hosts';
  const text = readFileSync(file, 'utf8');
  if (!/^[ \t]*[^#\s]/m.test(text)) return 'no-hosts';
  let data: unknown;
  try {
    data = parse(text);
  } catch {
    return text.includes('__PORT__') ? 'yes' : 'no'; // a syntax error case: the text must still point there
  }
  let found = false;
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if ((k === 'lbrun_port' || k === 'ansible_port') && x === '__PORT__') found = true;
      walk(x);
    }
  };
  walk(data);
  return found ? 'yes' : 'no';
}

const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  // BAD_INPUT_ONLY=regexp runs some cases (while working on them)
  .filter((n) => !process.env.BAD_INPUT_ONLY || new RegExp(process.env.BAD_INPUT_ONLY).test(n))
  .sort();

t.test('the corpus is large enough', async (t) => {
  t.ok(process.env.BAD_INPUT_ONLY || cases.length >= 160, `${cases.length} cases`);
});

const work = mkdtempSync(join(tmpdir(), 'lbrun-bad-input-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

const totals = { ran: 0, exit3: 0, located: 0, stackTraces: 0, connections: 0, recording: 0, noHosts: 0 };
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
      // any agent socket makes lbrun go as far as connecting (without credentials it refuses before
      // opening a connection, and a counter could never count): the listener then sees the attempt
      const r = await runCli(args, { cwd: dir, timeoutMs: 60_000, env: { SSH_AUTH_SOCK: join(work, 'no-agent.sock') } });
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
    t.ok(Number.isInteger(expect.line) && expect.line >= 1, `expect.yaml states the line (${expect.line})`);
    t.ok(Number.isInteger(expect.column) && expect.column >= 1, `expect.yaml states the column (${expect.column})`);
    t.ok(typeof expect.message === 'string' && expect.message.length > 0, 'expect.yaml states a message');
    if (!expect.file.startsWith('-') && existsSync(join(CORPUS, name, expect.file)) && !expect.generate) {
      // __PORT__ is replaced at test time: a column after it on the same line would shift
      const committed = readFileSync(join(CORPUS, name, expect.file), 'utf8').split('\n')[expect.line - 1] ?? '';
      t.notOk(committed.slice(0, expect.column - 1).includes('__PORT__'), 'no __PORT__ before the expected column on its line');
    }
    const where = location(dir, expect);
    const stack = /^\s+at /m.test(r.stderr + r.stdout) || /TypeError|ReferenceError|internal error/.test(r.stderr);
    const records = inventoryRecords(join(CORPUS, name), expect.args ?? []);
    totals.ran++;
    if (r.code === 3) totals.exit3++;
    if (locatedLine(r.stderr, where, expect.message)) totals.located++;
    if (stack) totals.stackTraces++;
    totals.connections += connections;
    if (records === 'yes') totals.recording++;
    if (records === 'no-hosts') totals.noHosts++;
    t.equal(r.code, 3, `exit 3\n${r.stderr}`);
    t.ok(locatedLine(r.stderr, where, expect.message), `a stderr line starts with ${where} and says "${expect.message}"\n${r.stderr}`);
    t.notOk(stack, `no stack trace or internal error\n${r.stderr}`);
    t.not(records, 'no', 'the inventory points a host at the counting listener (__PORT__)');
    t.equal(connections, 0, 'no host was contacted');
  });
}

// positive control: the counter sees a run that does contact a host (a valid playbook, the shared inventory)
t.test('the connection counter records a contact', async (t) => {
  const counter = await connectionCounter();
  const dir = join(work, '_control');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'playbook.yaml'), '- name: Control\n  hosts: all\n  tasks:\n    - name: Say\n      command: echo hi\n');
  writeFileSync(join(dir, 'inventory.yaml'), readFileSync(join(CORPUS, '_inventory.yaml'), 'utf8').replaceAll('__PORT__', String(counter.port)));
  const r = await runCli(['playbook.yaml', '-i', 'inventory.yaml'], { cwd: dir, timeoutMs: 60_000, env: { SSH_AUTH_SOCK: join(work, 'no-agent.sock') } });
  await new Promise((res) => setTimeout(res, 50));
  const n = counter.count();
  await counter.close();
  t.ok(n >= 1, `the listener counted ${n} connection(s) (exit ${r.code})`);
  t.not(r.code, 0, 'the run could not succeed against a listener that drops connections');
});

t.test('figures', async (t) => {
  await Promise.all(results.values());
  t.equal(totals.located, totals.ran, 'every case that ran was located at its exact line and column');
  t.comment(
    `FIGURE bad_inputs_ran=${totals.ran} exit_3=${totals.exit3} located_file_line_column=${totals.located} stack_traces=${totals.stackTraces} hosts_contacted=${totals.connections} inventories_recording_contacts=${totals.recording} inventories_that_are_the_bad_input=${totals.noHosts}`,
  );
});
