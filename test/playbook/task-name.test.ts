import t from 'tap';
import { renderString } from '../../src/vars/render.js';
import { loadTestPlaybook } from '../support/load-playbook.js';

t.test('an unnamed task with a long templated argument gets a name that still renders', async (t) => {
  const pb = await loadTestPlaybook(
    t,
    [
      '- hosts: all',
      '  connection: local',
      '  tasks:',
      '    - command:',
      '        cmd: "echo {{ a_rather_long_variable_name_that_pushes_past_sixty }} and more words"',
      '        chdir: "{{ some_directory_variable }}"',
      '',
    ].join('\n'),
  );
  const name = pb.plays[0].tasks[0].name;
  t.ok(name.startsWith('command '), `default name starts with the module: ${name}`);
  t.ok(name.endsWith('...'), 'a long summary is shortened');
  t.notMatch(name, /\{\{(?![^}]*\}\})/, 'no {{ is left open by the cut');
  const vars = { a_rather_long_variable_name_that_pushes_past_sixty: 'X', some_directory_variable: '/tmp' };
  t.doesNotThrow(() => renderString(name, vars, { file: 'playbook.yaml', line: 4 }), 'the name renders');
});
