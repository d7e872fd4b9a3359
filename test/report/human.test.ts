import t from 'tap';
import type { RunEvent } from '../../src/engine/events.js';
import { HumanReporter, useColour } from '../../src/report/human.js';
import { toDiffEvents } from '../../src/engine/diff.js';

function print(events: RunEvent[], opts = { colour: false, verbose: false }): string {
  let out = '';
  const r = new HumanReporter((s) => (out += s), opts);
  for (const e of events) r.handle(e);
  return out;
}

const counts = { ok: 3, changed: 1, failed: 0, skipped: 0, unreachable: 0, rescued: 0, ignored: 0 };

t.test('banners, host lines and the recap look like ansible-playbook', async (t) => {
  const out = print([
    { event: 'play_start', play: 'Load balancers', pattern: 'lb', hosts: ['lb-01'] },
    { event: 'task_start', play: 'Load balancers', task: 'haproxy : Install', module: 'command' },
    { event: 'host_result', host: 'lb-01', task: 'haproxy : Install', status: 'changed', changed: true, duration_ms: 5 },
    { event: 'task_start', play: 'Load balancers', task: 'Skip me', module: 'command' },
    { event: 'host_result', host: 'lb-01', task: 'Skip me', status: 'skipped', changed: false, duration_ms: 0 },
    { event: 'task_start', play: 'Load balancers', task: 'restart haproxy', module: 'service', handler: true },
    { event: 'host_result', host: 'lb-01', task: 'restart haproxy', status: 'ok', changed: false, duration_ms: 0, handler: true },
    { event: 'recap', hosts: { 'lb-01': counts }, duration_ms: 1234, check: false },
  ]);
  const lines = out.split('\n');
  t.equal(lines[1], `PLAY [Load balancers] ${'*'.repeat(80 - 'PLAY [Load balancers] '.length)}`);
  t.equal(lines[1].length, 80);
  t.match(out, /\nTASK \[haproxy : Install\] \*+\nchanged: \[lb-01\]\n/);
  t.match(out, /\nskipping: \[lb-01\]\n/);
  t.match(out, /\nRUNNING HANDLER \[restart haproxy\] \*+\nok: \[lb-01\]\n/);
  t.match(out, /\nPLAY RECAP \*+\n/);
  t.match(out, '\nlb-01                      : ok=3    changed=1    unreachable=0    failed=0    skipped=0    rescued=0    ignored=0\n');
  t.match(out, /Total time: 1\.23s\n$/);
  t.notMatch(out, '\u001b[', 'no colour codes when colour is off');
});

t.test('a failure shows its message, rc and the last stderr lines; ignored failures say so', async (t) => {
  const out = print([
    { event: 'task_start', play: 'p', task: 'run', module: 'command' },
    { event: 'host_result', host: 'h', task: 'run', status: 'failed', changed: false, msg: 'non-zero return code', rc: 3, stderr: 'bad\nworse', duration_ms: 1, ignored: true },
  ]);
  t.match(out, 'failed: [h] => non-zero return code\n    rc: 3\n    stderr: bad\n    stderr: worse\n...ignoring\n');
});

t.test('loop items get a line each; the loop summary prints only for an empty loop', async (t) => {
  const out = print([
    { event: 'task_start', play: 'p', task: 'each', module: 'command' },
    { event: 'host_result', host: 'h', task: 'each', status: 'changed', changed: true, item: 'a', duration_ms: 1 },
    { event: 'host_result', host: 'h', task: 'each', status: 'ok', changed: false, item: { n: 1 }, duration_ms: 1 },
    { event: 'host_result', host: 'h', task: 'each', status: 'changed', changed: true, items: 2, duration_ms: 1 },
    { event: 'host_result', host: 'h', task: 'each', status: 'skipped', changed: false, items: 0, duration_ms: 1 },
  ]);
  t.equal(out, '\nTASK [each] ' + '*'.repeat(68) + '\nchanged: [h] => (item=a)\nok: [h] => (item={"n":1})\nskipping: [h]\n');
});

t.test('debug messages show without -v; other modules only with -v', async (t) => {
  const ev = (module: string): RunEvent[] => [
    { event: 'task_start', play: 'p', task: 't', module },
    { event: 'host_result', host: 'h', task: 't', status: 'ok', changed: false, msg: 'hello', duration_ms: 1 },
  ];
  t.match(print(ev('debug')), 'ok: [h] => hello');
  t.notMatch(print(ev('command')), 'hello');
  t.match(print(ev('command'), { colour: false, verbose: true }), 'ok: [h] => hello');
});

t.test('--diff prints a unified diff under the host line', async (t) => {
  const diff = toDiffEvents([{ path: '/etc/x.cfg', before: 'a\nb\n', after: 'a\nc\n' }]);
  const out = print([
    { event: 'task_start', play: 'p', task: 't', module: 'copy' },
    { event: 'host_result', host: 'h', task: 't', status: 'changed', changed: true, diff, duration_ms: 1 },
  ]);
  t.match(out, 'changed: [h]\n--- /etc/x.cfg (before)\n+++ /etc/x.cfg (after)\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n');
});

t.test('an interrupted recap says so', async (t) => {
  const out = print([{ event: 'recap', hosts: {}, duration_ms: 10, check: true, interrupted: true }]);
  t.match(out, 'PLAY RECAP [interrupted] ');
  t.match(out, 'Total time: 0.01s (check mode: nothing was changed) (interrupted)');
});

t.test('colour on a TTY only, and never with NO_COLOR', async (t) => {
  t.equal(useColour({ isTTY: true }, {}), true);
  t.equal(useColour({ isTTY: false }, {}), false);
  t.equal(useColour({ isTTY: true }, { NO_COLOR: '1' }), false);
  t.equal(useColour({ isTTY: true }, { TERM: 'dumb' }), false);
  const coloured = print(
    [{ event: 'host_result', host: 'h', task: 't', status: 'changed', changed: true, duration_ms: 1 }],
    { colour: true, verbose: false },
  );
  t.match(coloured, '\u001b[33mchanged: [h]');
});
