// --start-at-task on loaded playbooks: exact names, globs over names with regex metacharacters,
// "role : name", and patterns that are not valid globs.
import t from 'tap';
import { startAtTask } from '../../src/engine/start-at.js';
import { loadTestPlaybook } from '../support/load-playbook.js';

const PLAYBOOK = [
  '- hosts: all',
  '  tasks:',
  '    - { name: "reload (haproxy) [x]", debug: { msg: a } }',
  '    - { name: "a.b+c", debug: { msg: b } }',
  '    - { name: "range [z-a] here", debug: { msg: c } }',
  '    - { name: "two\\nlines", debug: { msg: d } }',
  '',
].join('\n');

t.test('the first task whose name is or matches the pattern', async (t) => {
  const pb = await loadTestPlaybook(t, PLAYBOOK);
  const names = pb.plays[0].tasks.map((x) => x.name);
  const firstRun = (pattern: string) => {
    const run = startAtTask(pb, pattern);
    return names.find((_, i) => run(pb.plays[0].tasks[i]));
  };
  t.equal(firstRun('reload (haproxy) [x]'), 'reload (haproxy) [x]', 'the very name, brackets and all');
  t.equal(firstRun('a.b+c'), 'a.b+c');
  t.equal(firstRun('a?b+*'), 'a.b+c', '. and + in the name are literal, ? and * match');
  t.equal(firstRun('reload (*) [[]x]'), 'reload (haproxy) [x]');
  t.equal(firstRun('reload (haproxy) [[]x[]]'), 'reload (haproxy) [x]', '] first in a class is a member (fnmatch)');
  t.equal(firstRun('range [z-a] here'), 'range [z-a] here', 'not a valid glob: the very name still matches');
  t.equal(firstRun('two*'), 'two\nlines', '* matches a line break in a name');
  t.throws(() => startAtTask(pb, 'a.b'), { message: /no task of that name/, exitCode: 3 }, '. is no wildcard');
  t.throws(() => startAtTask(pb, 'range [z-a]*'), { message: /no task of that name/, exitCode: 3 }, 'an invalid glob is an input error');
});
