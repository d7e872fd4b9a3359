/**
 * Property test of secret masking through the real CLI (local connection): random secret values
 * (multi-line like a key, quotes, backslashes, unicode, the shortest maskable length) given as a
 * secret_vars value and as the become password, used through every output: human with -v and
 * --diff, --json, --check --diff, a failing command's output tail, a registered secret result
 * (its own failing task, then debug var), set_fact-derived upper()/lower() (and set_fact's own
 * task name), a default task name cut in the middle of the secret, --list-tasks, validate and
 * render errors that quote values (a vars_files file and an inventory `hosts:` written as lists),
 * and a -e that does not parse. The secret, each of its lines,
 * their JSON-escaped forms and the derived values never appear in stdout or stderr.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { MIN_SECRET_LENGTH } from '../../src/secrets/redact.js';
import { runCli, type CliResult } from '../support/run-cli.js';

const RUNS = Number(process.env.LBRUN_SECRET_RUNS ?? 3);

/** Pieces a secret is made of: letters, quotes, backslashes, shell and YAML syntax, unicode. */
const piece = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcXYZ019'.split('')), minLength: 1, maxLength: 6 }),
  fc.constantFrom('"', "'", '\\', '\\n', '$HOME', '`id`', '{', '}', ': ', '#', '%s', ' ', '\t', 'é', 'ß', '日本', '🔑', '\u00a0', '=', '&'),
);
const line = fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join(''));
/** Lines as a key or certificate has them, or one line; at least MIN_SECRET_LENGTH characters. */
const secretArb = fc
  .oneof(
    line,
    fc.array(line, { minLength: 2, maxLength: 5 }).map((l) => l.join('\n')),
    fc.array(line, { minLength: 2, maxLength: 4 }).map((l) => `-----BEGIN KEY-----\n${l.join('\n')}\n-----END KEY-----`),
  )
  .map((s) => `${s}q9`)
  .filter((s) => s.trim().length >= MIN_SECRET_LENGTH && !s.includes('{{') && !s.includes('{%'));
/** The become password: one line (what a terminal can type), shortest maskable length included. */
const becomeArb = fc
  .string({ unit: fc.constantFrom(...'abcdefXYZ0123456789"\\\'$ é'.split('')), minLength: MIN_SECRET_LENGTH, maxLength: 20 })
  .filter((s) => s.trim().length >= MIN_SECRET_LENGTH && !/^\s|\s$/.test(s));

/** Strings a leak would show: the value, its lines, their JSON-escaped forms. */
function forbidden(value: string): string[] {
  const parts = [value, ...value.split(/\r?\n/)].filter((p) => p.length >= MIN_SECRET_LENGTH && p.trim() !== '');
  const out = new Set<string>();
  for (const p of parts) {
    out.add(p);
    out.add(JSON.stringify(p).slice(1, -1));
  }
  // the mask itself and whitespace runs are not secrets that can be told apart
  return [...out].filter((f) => !'********'.includes(f));
}

function project(dir: string, secret: string): void {
  const q = (s: string) => JSON.stringify(s);
  // the default name of an unnamed task is its arguments cut to 57 characters: cut inside the secret
  const cutPrefix = 'x'.repeat(52);
  for (const sub of ['human', 'json', 'check', 'e']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(
    join(dir, 'inventory.yaml'),
    `all:\n  vars:\n    lbrun_connection: local\n    secret_vars: [pw, reg]\n    pw: ${q(secret)}\n  hosts:\n    h1: {}\n`,
  );
  writeFileSync(
    join(dir, 'site.yaml'),
    `- name: Secrets
  hosts: h1
  vars:
    holder: { key: "{{ pw }}" }
  tasks:
    - name: Say it
      debug: { msg: "pw is {{ pw }}" }
    - name: Say it as part of a map
      debug: { var: holder }
    - name: Say the become password
      debug: { msg: "become {{ env.LBRUN_BECOME_PASSWORD }}" }
    - debug: { msg: ${q(cutPrefix + secret)} }
    - set_fact: { up: "{{ upper(pw) }}", low: "{{ lower(pw) }}" }
    - name: Say the derived values
      debug: { msg: "up {{ up }} low {{ low }}" }
    - name: Write it
      copy: { content: "{{ pw }}\\n", dest: "{{ dir }}/secret.txt" }
    - name: Print it and fail
      shell: "cat {{ dir }}/secret.txt; cat {{ dir }}/secret.txt >&2; exit 3"
      ignore_errors: true
    - name: Register it and fail
      shell: "sed s/q9/QQ/ {{ dir }}/secret.txt; exit 4"
      register: reg
      ignore_errors: true
    - name: Show the registered result
      debug: { var: reg }
`,
  );
  // a broken project: a vars_files file written as a list of the secrets
  writeFileSync(join(dir, 'broken-vars.yaml'), `- pw: ${q(secret)}\n- ${q(secret)}\n`);
  writeFileSync(
    join(dir, 'broken.yaml'),
    `- hosts: h1\n  vars_files: [broken-vars.yaml]\n  tasks:\n    - debug: { msg: "{{ pw }}" }\n`,
  );
  // an inventory whose hosts: is written as a list (the error quotes it)
  writeFileSync(join(dir, 'broken-inventory.yaml'), `all:\n  vars: { secret_vars: [pw] }\n  hosts:\n    - h1: { pw: ${q(secret)} }\n`);
  // a project whose error quotes a value computed from the secret
  writeFileSync(
    join(dir, 'derived.yaml'),
    `- hosts: h1\n  tasks:\n    - debug: { msg: "{{ int(upper(pw)) }}" }\n`,
  );
}

t.test('random secrets never appear in any output', async (t) => {
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(secretArb, becomeArb, async (secret, become) => {
      const dir = t.testdir();
      project(dir, secret);
      const env = { LBRUN_BECOME_PASSWORD: become };
      // a value known nowhere else: given only in a -e that does not parse
      const other = `${[...secret].reverse().join('')}e7`;
      const inv = ['-i', join(dir, 'inventory.yaml')];
      const pb = join(dir, 'site.yaml');
      // each run writes its own files (-e dir=...): they run at once
      const at = (sub: string) => ['-e', `dir=${join(dir, sub)}`];
      const runs: Array<[string, Promise<CliResult>]> = [
        ['human -v --diff', runCli([pb, ...inv, ...at('human'), '-v', '--diff'], { env })],
        ['--json --diff -v', runCli([pb, ...inv, ...at('json'), '--json', '--diff', '-v'], { env })],
        ['--check --diff', runCli([pb, ...inv, ...at('check'), '--check', '--diff'], { env })],
        ['--list-tasks', runCli([pb, ...inv, ...at('e'), '--list-tasks'], { env })],
        ['validate broken', runCli(['validate', join(dir, 'broken.yaml'), ...inv, '-v'], { env })],
        ['render broken', runCli(['render', join(dir, 'broken.yaml'), ...inv, '--out', join(dir, 'out')], { env })],
        ['validate broken inventory', runCli(['validate', pb, '-i', join(dir, 'broken-inventory.yaml')], { env })],
        ['run derived error', runCli([join(dir, 'derived.yaml'), ...inv, '-v'], { env })],
        ['-e that does not parse', runCli([pb, ...inv, ...at('e'), '-e', `{"pw": ${JSON.stringify(other)}`], { env })],
      ];
      const bad = [...forbidden(secret), ...forbidden(secret.toUpperCase()), ...forbidden(secret.toLowerCase()), ...forbidden(become), ...forbidden(other)];
      for (const [what, p] of runs) {
        const r = await p;
        const output = r.stdout + r.stderr;
        const leak = bad.find((f) => output.includes(f));
        if (leak !== undefined) {
          t.fail(`${what}: shows ${JSON.stringify(leak)} of secret ${JSON.stringify(secret)} / become ${JSON.stringify(become)}`, { output });
          return false;
        }
        if (what === 'human -v --diff') {
          // the run did what it should: the tasks ran and their lines are there, masked
          if (r.code !== 0 || !r.stdout.includes('pw is ********') || !r.stdout.includes('+********')) {
            t.fail(`the run did not show the masked secret (exit ${r.code})`, { output });
            return false;
          }
        }
        if (what.includes('broken') || what.includes('derived') || what.startsWith('-e')) {
          if (r.code !== 3) {
            t.fail(`${what}: exit ${r.code}, expected 3`, { output });
            return false;
          }
        }
      }
      cases++;
      return true;
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
  t.equal(cases, RUNS, `${RUNS} random secrets went through every output`);
});
