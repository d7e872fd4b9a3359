// Tags, --list-tasks and --list-hosts through the real CLI.
import t from 'tap';
import { runCli } from '../support/run-cli.js';

const INV = 'test/fixtures/engine/inventory.yaml';
const PB = 'test/fixtures/engine/tags.yaml';

async function ran(...args: string[]): Promise<string[]> {
  const r = await runCli([PB, '-i', INV, '--json', ...args]);
  return r.events.filter((e) => e.event === 'host_result').map((e) => e.task as string);
}

t.test('--tags, --skip-tags, always and never select tasks', async (t) => {
  t.same(await ran(), ['a', 'b', 'c', 'e'], 'never-tagged tasks do not run by default');
  t.same(await ran('--tags', 'ta'), ['a', 'c'], 'always runs with any --tags');
  t.same(await ran('--skip-tags', 'tb'), ['a', 'c', 'e']);
  t.same(await ran('--tags', 'debugonly'), ['c', 'd'], 'a never task runs when one of its tags is asked for');
  t.same(await ran('--tags', 'ta,tb', '--skip-tags', 'always'), ['a', 'b']);
});

t.test('--list-tasks prints the selected tasks with their tags, like ansible-playbook', async (t) => {
  const r = await runCli([PB, '-i', INV, '--list-tasks', '--tags', 'ta']);
  t.equal(r.code, 0, r.stderr);
  t.equal(
    r.stdout,
    [
      '',
      `playbook: ${PB}`,
      '',
      '  play #1 (h1): Tags\tTAGS: [play]',
      '    tasks:',
      '      a\tTAGS: [play, ta]',
      '      c\tTAGS: [always, play]',
      '',
    ].join('\n'),
  );
});

t.test('--list-hosts prints each play pattern and its hosts after --limit', async (t) => {
  const r = await runCli(['test/fixtures/engine/serial.yaml', '-i', INV, '--list-hosts', '--limit', 'h2,h4']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, "  play #1 (web): Rolling\tTAGS: []\n    pattern: ['web']\n    hosts (2):\n      h2\n      h4\n");
  t.notMatch(r.stdout, 'tasks:');
});

t.test('--list-tasks names role tasks "role : name"', async (t) => {
  const r = await runCli(['test/fixtures/engine/tasks.yaml', '-i', INV, '--list-tasks']);
  t.match(r.stdout, '      greeter : Greet\tTAGS: []\n');
});
