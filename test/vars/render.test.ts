import t from 'tap';
import { renderString, renderValue } from '../../src/vars/render.js';

const src = { file: 'roles/haproxy/tasks.yaml', line: 12, column: 14 };
const vars = { port: 6443, servers: ['a', 'b'], conf: { dir: '/etc/haproxy' }, addr: '{{ ip }}:{{ port }}', ip: '10.0.0.1', loop_a: '{{ loop_b }}', loop_b: '{{ loop_a }}' };

t.test('deep rendering keeps types of whole-expression strings', async (t) => {
  t.same(renderValue({ dest: '{{ conf.dir }}/haproxy.cfg', list: '{{ servers }}', n: '{{ port }}', keep: 5, nested: ['{{ port + 1 }}', { x: 'p={{ port }}' }] }, vars, src), {
    dest: '/etc/haproxy/haproxy.cfg',
    list: ['a', 'b'],
    n: 6443,
    keep: 5,
    nested: [6444, { x: 'p=6443' }],
  });
  t.equal(renderString('servers={{ servers }}', vars, src), 'servers=["a","b"]');
  t.equal(renderString('no templates', vars, src), 'no templates');
});

t.test('variables holding templates are rendered when used', async (t) => {
  t.equal(renderValue('{{ addr }}', vars, src), '10.0.0.1:6443');
  t.throws(() => renderValue('{{ loop_a }}', vars, src), { message: "roles/haproxy/tasks.yaml:12:14: variable 'loop_a' refers to itself: loop_a -> loop_b -> loop_a" });
});

t.test('undefined variables and broken templates are InputErrors at the argument', async (t) => {
  t.throws(() => renderValue({ dest: '{{ conf.dir }}/{{ nope }}' }, vars, src), {
    message: `roles/haproxy/tasks.yaml:12:14: undefined variable 'nope' (in "nope")`,
    exitCode: 3,
  });
  t.throws(() => renderString('{{ port ', vars, src), { message: /^roles\/haproxy\/tasks\.yaml:12:14: unclosed \{\{ in "\{\{ port "/ });
});
