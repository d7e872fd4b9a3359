import { join } from 'node:path';
import t from 'tap';
import { parseExtraVars } from '../../src/vars/extra-vars.js';

t.test('key=value pairs are YAML scalars; several per argument; quotes', async (t) => {
  t.same(parseExtraVars(['port=8080 enabled=true name=lb-01', 'ratio=0.5', 'empty=', `msg="hello world"`, `s='42'`, 'list=[1,2]', 'url=http://x:1/a=b'], '/'), {
    port: 8080,
    enabled: true,
    name: 'lb-01',
    ratio: 0.5,
    empty: '',
    msg: 'hello world',
    s: '42',
    list: '[1,2]',
    url: 'http://x:1/a=b',
  });
});

t.test('@file and JSON objects; later arguments win', async (t) => {
  const dir = t.testdir({ 'vars.yaml': 'a: 1\nb: [x, y]\n' });
  t.same(parseExtraVars(['@vars.yaml', '{"a": 2, "c": {"d": true}}'], dir), { a: 2, b: ['x', 'y'], c: { d: true } });
  t.same(parseExtraVars([`@${join(dir, 'vars.yaml')}`, 'a=3'], '/'), { a: 3, b: ['x', 'y'] });
});

t.test('bad arguments name the -e argument by its keys, never a value (it may be a secret)', async (t) => {
  t.throws(() => parseExtraVars(['novalue'], '/'), { message: "-e ...:1:1: invalid extra var (no '='); expected key=value with a variable name as key, @file.yaml or a JSON object", exitCode: 3 });
  t.throws(() => parseExtraVars(['1x=2'], '/'), { message: /^-e \.\.\.:1:1: invalid extra var "1x="/ });
  t.throws(() => parseExtraVars(['ok=1 pw=s3cret-x 1x=2'], '/'), { message: /^-e ok=\.\.\. pw=\.\.\. \.\.\.:1:18: invalid extra var "1x="/ });
  t.throws(() => parseExtraVars(['{"a": "s3cret'], '/'), { message: /^-e \{\.\.\.\}:1:\d+: invalid JSON\/YAML object/ });
  t.throws(() => parseExtraVars(['msg="open'], '/'), { message: /^-e msg=\.\.\.:1:1: unclosed " quote/ });
  for (const bad of ['pw="s3cret-x', '{"pw": "s3cret-x', 's3cret-x', 'pw=s3cret-x 7=8']) {
    let message = '';
    try {
      parseExtraVars([bad], '/');
    } catch (err) {
      message = (err as Error).message;
    }
    t.ok(message.startsWith('-e ') && !message.includes('s3cret'), `no value echoed for ${bad}: ${message}`);
  }
  const dir = t.testdir({ 'list.yaml': '- a\n' });
  t.throws(() => parseExtraVars(['@list.yaml'], dir), { message: /list\.yaml:1:1: invalid value \["a"\] \(at \/\); expected a map of variables/ });
  t.throws(() => parseExtraVars(['@missing.yaml'], dir), { message: /^-e @missing\.yaml:1:2: cannot read file \S*missing\.yaml: ENOENT/ });
});

t.test('a JSON object over several lines: columns after line 1 count characters, an emoji once', async (t) => {
  const err = t.throws(() => parseExtraVars(['{"a": 1,\n "😀😀": [1, }'], '/')) as Error;
  // line 2 is ` "😀😀": [1, }`: the } that closes nothing is its 12th character (14th UTF-16 unit)
  t.match(err.message, /:2:12: invalid JSON\/YAML object/);
});
