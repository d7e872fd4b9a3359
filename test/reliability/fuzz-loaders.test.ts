/**
 * Property tests of the loaders: random YAML-ish text, random structures serialised to YAML as
 * playbooks and inventories, and random template text. Whatever the input, loading and the offline
 * walk (what `lbrun validate` and every run do first) either succeed or throw an lbrun InputError /
 * InputErrors naming a file: nothing else may escape (no TypeError, no RangeError, no hang).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { stringify } from 'yaml';
import { InputError, InputErrors } from '../../src/errors.js';
import { loadInventory } from '../../src/inventory/load.js';
import '../../src/modules/index.js';
import { loadPlaybook } from '../../src/playbook/load.js';
import { walkProject } from '../../src/validate/walk.js';
import { renderTemplateFile } from '../../src/vars/template.js';

const RUNS = Number(process.env.LBRUN_FUZZ_RUNS ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'lbrun-fuzz-loaders-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'templates'));
const playbookFile = join(dir, 'playbook.yaml');
const inventoryFile = join(dir, 'inventory.yaml');
const templateFile = join(dir, 'templates', 'fuzz.mustache');
const GOOD_PLAYBOOK = '- hosts: all\n  tasks:\n    - debug: { msg: hi }\n';
const GOOD_INVENTORY = 'all:\n  hosts:\n    h1: { lbrun_connection: local }\n';

const escaped = { n: 0, input: 0, ok: 0 };

/** Run fn; resolve 'ok' or 'input'; anything that is not an lbrun input error fails the property. */
async function lbrunOnly(fn: () => unknown): Promise<boolean> {
  try {
    await fn();
    escaped.ok++;
    return true;
  } catch (err) {
    const errors = err instanceof InputErrors ? err.errors : err instanceof InputError ? [err] : undefined;
    if (!errors || errors.length === 0 || errors.some((e) => !(e instanceof InputError) || !e.source?.file)) {
      escaped.n++;
      throw new Error(`escaped as ${(err as Error)?.constructor?.name}: ${(err as Error)?.stack ?? String(err)}`, { cause: err });
    }
    escaped.input++;
    return true;
  }
}

/** YAML-ish text: fragments of YAML syntax, playbook words and odd characters, glued at random. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '- ', ': ', '\n', '\n  ', '\n    ', '\t', '{', '}', '[', ']', ',', '"', "'", '&a ', '*a', '*b', '!!str ', '!!binary ', '!!map ',
        '<<: *a', '? ', '| ', '>- ', '#', '---\n', '...\n', '%YAML 1.2\n', '~', 'null', 'yes', 'no', '0644', '1e400', '-0', '.inf',
        'hosts', 'all', 'tasks', 'name', 'roles', 'handlers', 'vars', 'serial', 'when', 'loop', 'notify', 'import_playbook', 'debug',
        'command', 'template', 'msg', 'children', 'lbrun_port', 'secret_vars', '{{ x }}', '{{', '}}', '__proto__', 'constructor',
      ),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

t.test('random YAML-ish text as a playbook, an inventory and a template', async (t) => {
  await fc.assert(
    fc.asyncProperty(yamlish, async (text) => {
      writeFileSync(playbookFile, text);
      writeFileSync(inventoryFile, text);
      writeFileSync(templateFile, text);
      await lbrunOnly(() => loadPlaybook(playbookFile));
      await lbrunOnly(() => loadInventory(inventoryFile));
      return lbrunOnly(() => renderTemplateFile(templateFile, { x: 1, a: [1], b: { c: 'd' } }));
    }),
    { numRuns: RUNS },
  );
  t.pass('nothing escaped');
});

/** Scalars and containers a user could write, including wrong types and hostile keys. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e21, '', 'all', 'lb-0*', '!all', '&all', '30%', '0%', '{{ x }}', '{{ nope }}', '{{', 'a == b', '__proto__'),
    fc.integer(),
    fc.string({ maxLength: 12 }),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'hosts', 'vars')), tie('node'), { maxKeys: 4 })),
})).node;

const taskKeys = ['name', 'debug', 'command', 'shell', 'template', 'copy', 'file', 'set_fact', 'assert', 'meta', 'when', 'loop', 'register', 'notify', 'tags', 'become', 'timeout', 'vars', 'changed_when', 'failed_when', 'ignore_errors', 'run_once', 'no_log', 'loop_control', 'listen', 'bogus'];
const task = fc.dictionary(fc.constantFrom(...taskKeys), value, { minKeys: 1, maxKeys: 4 });
const play = fc.record(
  {
    name: value,
    hosts: fc.oneof(fc.constantFrom('all', 'h1', 'g1', 'h*', 'all:!h2', 'g1:&h1', 'nope', ''), value),
    serial: value,
    max_fail_percentage: value,
    become: value,
    vars: value,
    roles: value,
    tasks: fc.oneof(fc.array(task, { maxLength: 4 }), value),
    handlers: fc.oneof(fc.array(task, { maxLength: 2 }), value),
    import_playbook: value,
    tags: value,
  },
  { requiredKeys: [] },
);
const playbook = fc.oneof(fc.array(play, { maxLength: 3 }), value);

const hostVars = fc.dictionary(fc.constantFrom('lbrun_host', 'lbrun_port', 'lbrun_connection', 'lbrun_become', 'lbrun_user', 'lbrun_connect_timeout', 'ansible_port', 'secret_vars', 'x'), value, { maxKeys: 3 });
const group: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  group: fc.record(
    {
      hosts: fc.oneof(fc.dictionary(fc.constantFrom('h1', 'h2', 'g1', 'all'), fc.oneof(hostVars, value), { maxKeys: 3 }), value),
      vars: fc.oneof(hostVars, value),
      children: fc.oneof({ depthSize: 'small' }, fc.dictionary(fc.constantFrom('g1', 'g2', 'all', 'h1'), tie('group'), { maxKeys: 2 }), value),
      hostz: value,
    },
    { requiredKeys: [] },
  ),
})).group;
const inventory = fc.oneof(fc.record({ all: group }), value);

t.test('random structures as playbooks (loaded and walked offline with a good inventory)', async (t) => {
  writeFileSync(inventoryFile, 'all:\n  children:\n    g1:\n      hosts:\n        h1: { lbrun_connection: local }\n  hosts:\n    h2: { lbrun_connection: local }\n');
  await fc.assert(
    fc.asyncProperty(playbook, async (pb) => {
      writeFileSync(playbookFile, stringify(pb));
      return lbrunOnly(() => walkProject({ playbookFile, inventoryFile }));
    }),
    { numRuns: RUNS },
  );
  t.pass('nothing escaped');
});

t.test('random structures as inventories (loaded and walked with a good playbook)', async (t) => {
  writeFileSync(playbookFile, GOOD_PLAYBOOK);
  await fc.assert(
    fc.asyncProperty(inventory, fc.option(fc.constantFrom('all', 'h1', 'g1', '!h1', 'h*', 'nope', '&g2'), { nil: undefined }), async (inv, limit) => {
      writeFileSync(inventoryFile, stringify(inv));
      return lbrunOnly(() => walkProject({ playbookFile, inventoryFile, limit }));
    }),
    { numRuns: RUNS },
  );
  t.pass('nothing escaped');
});

t.test('the good playbook and inventory load (the properties can pass for the right reason)', async (t) => {
  writeFileSync(playbookFile, GOOD_PLAYBOOK);
  writeFileSync(inventoryFile, GOOD_INVENTORY);
  const r = await walkProject({ playbookFile, inventoryFile });
  t.equal(r.playbook.plays.length, 1);
  t.comment(`FIGURE fuzz_loader_inputs=${escaped.ok + escaped.input + escaped.n} loaded=${escaped.ok} input_errors=${escaped.input} escaped=${escaped.n}`);
  t.equal(escaped.n, 0, 'no input escaped as anything but an lbrun error');
  t.ok(escaped.input > 0 && escaped.ok > 0, 'the generators produce both good and bad inputs');
});
