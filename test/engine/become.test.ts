// The become password is asked once, after validation, only when a task becomes root on a host
// reached over ssh as another user; it is then masked like a secret.
import { resolve } from 'node:path';
import t from 'tap';
import { run, type RunEvent } from '../../src/index.js';

const FX = resolve('test/fixtures/engine');

t.test('asked once when an ssh host logs in as a non-root user and the play uses become', async (t) => {
  let asked = 0;
  const summary = await run({
    playbookFile: `${FX}/become.yaml`,
    inventoryFile: `${FX}/become-inventory.yaml`,
    askBecomePassword: async () => {
      asked++;
      return 'sudo-canary-93b1';
    },
  });
  t.equal(asked, 1);
  t.equal(summary.exitCode, 0, 'debug runs on the controller: no connection was needed');
});

t.test('not asked for local hosts, nor when a password was given', async (t) => {
  let asked = 0;
  const ask = async () => {
    asked++;
    return undefined;
  };
  await run({ playbookFile: `${FX}/become.yaml`, inventoryFile: `${FX}/become-inventory.yaml`, limit: 'here', askBecomePassword: ask });
  await run({ playbookFile: `${FX}/become.yaml`, inventoryFile: `${FX}/become-inventory.yaml`, becomePassword: 'x-given-x', askBecomePassword: ask });
  t.equal(asked, 0);
});

t.test('asked when a task delegates to such a host, though the play runs elsewhere', async (t) => {
  let asked = 0;
  await run({
    playbookFile: `${FX}/become-delegate.yaml`,
    inventoryFile: `${FX}/become-inventory.yaml`,
    askBecomePassword: async () => {
      asked++;
      return undefined;
    },
  });
  t.equal(asked, 1);
});

t.test('the password from the prompt is masked in events', async (t) => {
  const events: RunEvent[] = [];
  process.env.LBRUN_ECHO = 'sudo-canary-93b1';
  t.teardown(() => delete process.env.LBRUN_ECHO);
  await run({
    playbookFile: `${FX}/become-echo.yaml`,
    inventoryFile: `${FX}/become-inventory.yaml`,
    askBecomePassword: async () => 'sudo-canary-93b1',
    onEvent: (e) => events.push(e),
  });
  const text = JSON.stringify(events);
  t.notMatch(text, 'sudo-canary-93b1');
  t.match(text, 'echo ********');
});
