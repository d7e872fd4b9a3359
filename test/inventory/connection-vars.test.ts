import { join } from 'node:path';
import t from 'tap';
import { connectionSettings } from '../../src/inventory/connection-vars.js';
import { loadInventory } from '../../src/inventory/load.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/load/inventory/hosts.yaml');
const DIR = join(import.meta.dirname, '../fixtures/load/inventory');

t.test('defaults, lbrun_* names, ansible_* aliases, paths relative to the inventory', async (t) => {
  const inv = await loadInventory(FIXTURE);
  const vars = (h: string) => inv.hosts.get(h)?.vars ?? {};
  t.same(connectionSettings('web-01', vars('web-01'), DIR), {
    kind: 'ssh',
    address: '10.0.0.1',
    port: 2222,
    user: 'deploy',
    privateKeyFile: undefined,
    knownHostsFile: undefined,
    jumpHost: undefined,
    connectTimeout: 10,
    connectRetries: 2,
    become: false,
    becomeUser: undefined,
  });
  t.equal(connectionSettings('web-02', vars('web-02'), DIR).privateKeyFile, join(DIR, 'keys/id_web02'));
  t.equal(connectionSettings('solo', vars('solo'), DIR).kind, 'local');
  t.equal(connectionSettings('db-01', vars('db-01'), DIR).address, 'db-01', 'address defaults to the name');
  t.equal(connectionSettings('x', { lbrun_port: 23, ansible_port: 24 }, DIR).port, 23, 'lbrun_ wins over ansible_');
  t.equal(connectionSettings('x', { ip: '10.1.1.1', ansible_host: '{{ ip }}' }, DIR).address, '10.1.1.1', 'templated values are rendered');
});

t.test('wrong types are InputErrors naming the host, the variable and what is expected', async (t) => {
  const src = { file: 'inv.yaml', line: 4, column: 5 };
  t.throws(() => connectionSettings('h', { lbrun_port: 'ssh' }, DIR, src), { message: 'inv.yaml:4:5: invalid lbrun_port "ssh"; expected a port number (1-65535)', exitCode: 3 });
  t.throws(() => connectionSettings('h', { ansible_connection: 'winrm' }, DIR), { message: /^host h: invalid ansible_connection "winrm"; expected one of: ssh, local/ });
  t.throws(() => connectionSettings('h', { lbrun_become: 'yes please' }, DIR), { message: /invalid lbrun_become .*expected true or false/ });
  t.throws(() => connectionSettings('h', { lbrun_connect_timeout: 0 }, DIR), { message: /expected a number of seconds > 0/ });
});
