import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { renderTemplateFile } from '../../src/vars/template.js';

const TPL = join(import.meta.dirname, '../fixtures/load/templates/strict.mustache');
const base = { maxconn: 100, backends: [{ name: 's1', addr: '10.0.0.1' }], port: 6443, raw: 'a&b', html: '<b>', conf: { dir: '/etc' }, list: [1, 2] };

t.test('renders without HTML escaping, sections, inverted sections, dotted names and .', async (t) => {
  t.equal(
    renderTemplateFile(TPL, base),
    'global\n  maxconn 100\n  server s1 10.0.0.1:6443\n  raw a&b a&b <not escaped: <b>>\n  dotted /etc [1][2]\n',
  );
  t.equal(renderTemplateFile(TPL, { ...base, backends: [] }).includes('# no backend'), true);
});

t.test('every kind of tag with an undefined name is an error naming the variable and its line', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['maxconn', 'maxconn', ':2:11:'],
    ['backends', 'backends', ':3:1:'],
    ['raw', 'raw', ':9:7:'],
    ['conf', 'conf.dir', ':10:10:'],
  ];
  for (const [drop, name, pos] of cases) {
    const vars: Record<string, unknown> = { ...base };
    delete vars[drop];
    t.throws(() => renderTemplateFile(TPL, vars), { message: `${TPL}${pos} undefined variable '${name}' in template; expected '${name}' defined (give it a default: false, [] or "")` }, drop);
  }
  t.throws(() => renderTemplateFile(TPL, { ...base, backends: [{ name: 's1' }] }), { message: /strict\.mustache:4:19: undefined variable 'addr'/ }, 'inside a section');
});

t.test('inverted sections, lists in plain tags, partials and syntax errors', async (t) => {
  const dir = t.testdir({
    'inv.mustache': 'a\n{{^enabled}}off{{/enabled}}\n',
    'list.mustache': 'x {{servers}}\n',
    'partial.mustache': 'x\n  {{> other}}\n',
    'broken.mustache': 'a\n{{#open}}\nb\n',
    'lazy.mustache': '{{addr}}\n',
  });
  t.throws(() => renderTemplateFile(join(dir, 'inv.mustache'), {}), { message: /inv\.mustache:2:1: undefined variable 'enabled'/ });
  t.equal(renderTemplateFile(join(dir, 'inv.mustache'), { enabled: false }), 'a\noff\n');
  t.throws(() => renderTemplateFile(join(dir, 'list.mustache'), { servers: ['a'] }), { message: /list\.mustache:1:3: 'servers' is a list: use a section/ });
  t.throws(() => renderTemplateFile(join(dir, 'partial.mustache'), {}), { message: /partial\.mustache:2:3: partials \(\{\{> other\}\}\) are not supported/ });
  t.throws(() => renderTemplateFile(join(dir, 'broken.mustache'), { open: true }), { message: /broken\.mustache:\d+:\d+: template syntax error: Unclosed section "open"/ });
  t.equal(renderTemplateFile(join(dir, 'lazy.mustache'), { addr: '{{ ip }}:80', ip: '10.1.1.1' }), '10.1.1.1:80\n', 'variables holding {{ }} are rendered');
  t.throws(() => renderTemplateFile(join(dir, 'nope.mustache'), {}), { message: /nope\.mustache: cannot read template: ENOENT/ });
});

t.test('the cache notices a changed file', async (t) => {
  const dir = t.testdir({ 'c.mustache': 'one {{a}}\n' });
  const file = join(dir, 'c.mustache');
  t.equal(renderTemplateFile(file, { a: 1 }), 'one 1\n');
  writeFileSync(file, 'two {{a}} and more\n');
  t.equal(renderTemplateFile(file, { a: 1 }), 'two 1 and more\n');
});
