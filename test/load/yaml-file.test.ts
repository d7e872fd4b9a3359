import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { InputError, InputErrors } from '../../src/errors.js';
import { loadYamlFile, sourceAt, MAX_YAML_BYTES } from '../../src/load/yaml-file.js';

t.test('syntax error names file:line:column and the parser reason', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'a: 1\nb: [1, 2\nc: 3\n' });
  const file = join(dir, 'bad.yaml');
  const err: unknown = t.throws(() => loadYamlFile(file));
  t.ok(err instanceof InputError || err instanceof InputErrors);
  if (!(err instanceof Error)) return;
  t.match(err.message, `${file}:2:4:`); // the [ that is never closed
  t.match(err.message, /YAML syntax error: .*(flow|sequence|\])/i);
});

t.test('a bad indentation points at its line', async (t) => {
  const dir = t.testdir({ 'indent.yaml': 'all:\n  hosts:\n    a: {}\n   b: {}\n' });
  const err = t.throws(() => loadYamlFile(join(dir, 'indent.yaml'))) as Error;
  t.match(err.message, /indent\.yaml:4:\d+: YAML syntax error/);
});

t.test('duplicate keys are errors at the second key', async (t) => {
  const dir = t.testdir({ 'dup.yaml': 'name: a\nhosts: all\nname: b\n' });
  const err = t.throws(() => loadYamlFile(join(dir, 'dup.yaml'))) as InputError;
  t.match(err.message, /dup\.yaml:3:1: duplicate key/);
});

t.test('empty, comment-only, binary, invalid UTF-8 and huge files', async (t) => {
  const dir = t.testdir({ 'empty.yaml': '', 'comments.yaml': '# nothing\n\n# here\n' });
  t.throws(() => loadYamlFile(join(dir, 'empty.yaml')), { message: `${join(dir, 'empty.yaml')}:1:1: file is empty; expected YAML content` });
  t.throws(() => loadYamlFile(join(dir, 'comments.yaml')), { message: /comments\.yaml:1:1: file is empty/ });
  t.equal(loadYamlFile(join(dir, 'comments.yaml'), { allowEmpty: true }).data, null);

  writeFileSync(join(dir, 'bin.yaml'), Buffer.from('a: 1\nb: \u0000\u0001'));
  t.throws(() => loadYamlFile(join(dir, 'bin.yaml')), { message: `${join(dir, 'bin.yaml')}:2:4: file is binary (NUL byte at offset 8); expected a UTF-8 text file` });
  writeFileSync(join(dir, 'latin1.yaml'), Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
  t.throws(() => loadYamlFile(join(dir, 'latin1.yaml')), { message: `${join(dir, 'latin1.yaml')}:1:4: file is not valid UTF-8 text; expected a UTF-8 text file` });
  writeFileSync(join(dir, 'huge.yaml'), 'a: "' + 'x'.repeat(MAX_YAML_BYTES) + '"\n');
  t.throws(() => loadYamlFile(join(dir, 'huge.yaml')), { message: /huge\.yaml:1:1: file is too large \(\d+ bytes\); expected a YAML file of at most 4194304 bytes/ });
  t.throws(() => loadYamlFile(join(dir, 'missing.yaml')), { message: /missing\.yaml:1:1: cannot read file: ENOENT/ });
});

t.test('YAML 1.1 like Ansible: yes/no/on/off are booleans, 0644 is octal, y/n are strings', async (t) => {
  const dir = t.testdir({ 'v.yaml': 'a: yes\nb: no\nmode: 0644\ns: "0644"\nc: [y, n, on, off]\n' });
  t.same(loadYamlFile(join(dir, 'v.yaml')).data, { a: true, b: false, mode: 0o644, s: '0644', c: ['y', 'n', true, false] });
});

t.test('sourceAt finds nodes, keys, and the deepest existing node for missing paths', async (t) => {
  const dir = t.testdir({ 'p.yaml': '- name: x\n  tasks:\n    - debug: { msg: hi }\n      when: a\n' });
  const yf = loadYamlFile(join(dir, 'p.yaml'));
  t.match(sourceAt(yf, [0, 'tasks', 0, 'when']), { line: 4, column: 13 });
  t.match(sourceAt(yf, [0, 'tasks', 0, 'when'], { key: true }), { line: 4, column: 7 });
  t.match(sourceAt(yf, [0, 'tasks', 0, 'debug', 'msg']), { line: 3, column: 21 });
  t.match(sourceAt(yf, [0, 'tasks', 0, 'nope']), { line: 3, column: 7 });
});

t.test('columns count a character outside the BMP as one, on a one-line flow file too', async (t) => {
  const line = `{"a": "😀😀", "b": "x", "c": "\u{1F600}y", "d": 1}`;
  const dir = t.testdir({ 'flow.yaml': `${line}\n`, 'block.yaml': 'x:\n  k: "😀"\n  z: 2\n' });
  const yf = loadYamlFile(join(dir, 'flow.yaml'));
  // what an editor shows: one column per character
  const col = (needle: string) => [...line.slice(0, line.indexOf(needle))].length + 1;
  t.match(sourceAt(yf, ['b']), { line: 1, column: col('"x"') });
  t.match(sourceAt(yf, ['c'], { key: true }), { line: 1, column: col('"c"') });
  t.match(sourceAt(yf, ['d']), { line: 1, column: col('1}') });
  t.equal(col('1}'), line.length - 4, 'three astral characters before the 1: three columns fewer than UTF-16 units');
  t.match(sourceAt(loadYamlFile(join(dir, 'block.yaml')), ['x', 'z']), { line: 3, column: 6 });
});
