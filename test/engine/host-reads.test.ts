// Reads made ahead (src/engine/host-reads.ts) on a real connection (the controller itself: every
// command is a real /bin/sh): one round trip carries a read and the reads of the next tasks, each
// answer is what the read gives alone, and nothing read before a change answers after it.
// (Through the CLI on a real sshd: test/engine/host-reads-run.test.ts.)
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LocalConnection } from '../../src/connection/local.js';
import type { ExecOptions, ReadRequest } from '../../src/connection/types.js';
import { HostReads, MAX_AHEAD, withReadsAhead } from '../../src/engine/host-reads.js';

const dir = mkdtempSync(join(tmpdir(), 'lbrun-host-reads-'));
const file = join(dir, 'state');

function setup(enabled = true) {
  const raw = new LocalConnection('h', { become: false });
  const reads = new HostReads(enabled);
  const conn = reads.wrap(raw);
  const read = (command: string, ahead: string[] = [], opts: ExecOptions = {}) =>
    withReadsAhead(conn, () => ahead.map((c): ReadRequest => ({ command: c, opts: { become: false } }))).run(command, { become: false, read: true, ...opts });
  return { raw, reads, conn, read };
}

// outputs a read may give: text, UTF-8, stderr, no trailing newline, a failing exit code
const SAMPLES = [`cat ${file}`, `printf 'caf\\303\\251\\n\\n  x'`, 'echo out; echo err >&2; exit 3', 'printf ""', 'exit 0', `sh -c 'read x; echo "[$x]"'`];

t.test('one round trip answers the next reads, each exactly as it would answer alone', async (t) => {
  writeFileSync(file, 'before\n');
  const { raw, reads, read } = setup();
  const alone = await Promise.all(SAMPLES.map((c) => raw.run(c, { become: false })));
  const before = raw.stats.commands;
  t.same(await read(SAMPLES[0], SAMPLES.slice(1)), alone[0]);
  t.equal(raw.stats.commands, before + 1, 'one command carried them all');
  for (const [i, c] of SAMPLES.entries()) if (i > 0) t.same(await read(c), alone[i], c);
  t.equal(raw.stats.commands, before + 1, 'the later reads were answered without a round trip');
  t.same(reads.counts, { read: SAMPLES.length - 1, used: SAMPLES.length - 1 });
  t.same(await read(SAMPLES[2]), alone[2], 'an answer is used once: the same read again runs');
  t.equal(raw.stats.commands, before + 2);
});

t.test('a change anywhere drops every answer made ahead', async (t) => {
  writeFileSync(file, 'before\n');
  const { raw, read, conn } = setup();
  await read('true', [`cat ${file}`]);
  await conn.run(`echo after > ${file}`, { become: false });
  t.same((await read(`cat ${file}`)).stdout, 'after\n', 'a command that is not a read voids them');
  await read('true', [`cat ${file}`]);
  await conn.put(file, 'put\n');
  t.same((await read(`cat ${file}`)).stdout, 'put\n', 'an upload voids them');
  t.ok(raw.stats.commands > 0);
});

t.test('a batch under way while something changes keeps none of its answers', async (t) => {
  writeFileSync(file, 'old\n');
  const { raw, reads, read, conn } = setup();
  // the batch reads the file at once, then sleeps; the write lands while it sleeps
  const batch = read('true', [`cat ${file}`, 'sleep 0.4']);
  await new Promise((r) => setTimeout(r, 150));
  await conn.run(`echo new > ${file}`, { become: false });
  await batch;
  const n = raw.stats.commands;
  t.same((await read(`cat ${file}`)).stdout, 'new\n', 'the read runs again');
  t.equal(raw.stats.commands, n + 1);
  t.equal(reads.counts.used, 0);
  t.equal(readFileSync(file, 'utf8'), 'new\n');
});

t.test('what never goes ahead: off, stdin, a time limit, other become or environment', async (t) => {
  writeFileSync(file, 'x\n');
  const off = setup(false);
  await off.read('true', [`cat ${file}`]);
  const n = off.raw.stats.commands;
  await off.read(`cat ${file}`);
  t.equal(off.raw.stats.commands, n + 1, '--no-read-ahead: every read runs on its own');
  t.same(off.reads.counts, { read: 0, used: 0 });

  const on = setup();
  await on.read('true', [`cat ${file}`], { stdin: 'in\n' });
  await on.read('true', [`cat ${file}`], { timeoutMs: 5000 });
  await on.read('true', [`cat ${file}`], { env: { A: '1' } });
  t.same(on.reads.counts, { read: 0, used: 0 }, 'none of them carried a read of another group');
  await on.read('true', Array.from({ length: MAX_AHEAD + 5 }, (_, i) => `echo ${i}`));
  t.equal(on.reads.counts.read, MAX_AHEAD, `at most ${MAX_AHEAD} reads ahead in one round trip`);
});

t.test('reads go ahead only while nothing changes: a run changing hosts throws no read away', async (t) => {
  const { raw, reads, read, conn } = setup();
  const echo = (tag: string) => Array.from({ length: 10 }, (_, i) => `echo ${tag}${i}`);
  await read('true', echo('a'));
  t.equal(reads.counts.read, 10, 'a first read carries the next ones');
  await conn.run('true', { become: false }); // a change: ten answers dropped unused
  const n = raw.stats.commands;
  await read('true', echo('b'));
  t.equal(reads.counts.read, 10, 'the read after a change goes alone');
  t.equal(raw.stats.commands, n + 1);
  await read('true', echo('c'));
  t.equal(reads.counts.read, 20, 'a read with no change since the last goes ahead again');
  t.same((await read('echo c0')).stdout, 'c0\n');
  t.equal(reads.counts.used, 1);

  // another host's change counts too (a change on one host may touch another)
  const other = withReadsAhead(reads.wrap(new LocalConnection('other', { become: false })), () => []);
  await other.run('true', { become: false });
  await read('true', echo('d'));
  t.equal(reads.counts.read, 20, 'a change on another host: alone again');
});

t.test('a batch answers exactly what each read printed, whatever it printed', async (t) => {
  const { raw, reads, read } = setup();
  const tricky = [
    'printf "no newline"',
    'printf "\\n\\n"',
    'printf "lbrun-read-0000 0\\n"',
    'echo lbrun-read-; echo lbrun-read- >&2',
    'printf "err only" >&2; exit 4',
    'printf "\\377\\376 bytes\\n"',
    'head -c 70000 /dev/zero | tr "\\0" x',
    'exit 255',
  ];
  const alone = await Promise.all(tricky.map((c) => raw.run(c, { become: false })));
  t.same(await read(tricky[0], tricky.slice(1)), alone[0]);
  for (const [i, c] of tricky.entries()) if (i > 0) t.same(await read(c), alone[i], c);
  t.equal(reads.counts.used, tricky.length - 1, 'every later read was answered by the batch');
});

/** Reads of one kind that a shell loop answers together: each item's own command prints its line;
 *  the joined one prints them all, an empty line between (as `systemctl show` of several units). */
function lineJoin(kind: string, joined: (items: string[]) => string = (items) => `s=; for i in ${items.join(' ')}; do [ -z "$s" ] || echo; s=1; printf '%s\\n' "$i"; done`): (item: string) => ReadRequest {
  return (item) => ({
    command: `printf '%s\\n' ${item}`,
    opts: {
      become: false,
      join: {
        kind,
        item,
        command: joined,
        split: (stdout, count) => {
          const parts = stdout.split('\n\n');
          return parts.length === count ? parts.map((p, i) => (i < count - 1 ? `${p}\n` : p)) : undefined;
        },
      },
    },
  });
}

t.test('reads of one kind in a round trip run as one command; each gets what it prints alone', async (t) => {
  const { raw, reads } = setup();
  const line = lineJoin('lines');
  const reqs = [line('one'), { command: 'echo other', opts: { become: false } }, line('two'), line('three')];
  const alone = await Promise.all(reqs.map((r) => raw.run(r.command, { become: false })));
  const n = raw.stats.commands;
  const first = withReadsAhead(reads.wrap(raw), () => reqs.slice(1));
  t.same(await first.run(reqs[0].command, { ...reqs[0].opts, read: true }), alone[0]);
  t.equal(raw.stats.commands, n + 1, 'one round trip');
  for (const [i, r] of reqs.entries()) if (i > 0) t.same(await reads.wrap(raw).run(r.command, { ...r.opts, read: true }), alone[i], r.command);
  t.equal(raw.stats.commands, n + 1, 'every later read answered from it');
  t.same(reads.counts, { read: 3, used: 3 });
});

t.test('a joined command whose output cannot be split: each read runs on its own, with its own answer', async (t) => {
  const { raw, reads } = setup();
  const line = lineJoin('broken', () => 'echo joined; exit 1');
  const reqs = [line('one'), line('two'), { command: 'echo other', opts: { become: false } }];
  const alone = await Promise.all(reqs.map((r) => raw.run(r.command, { become: false })));
  const n = raw.stats.commands;
  const first = withReadsAhead(reads.wrap(raw), () => reqs.slice(1));
  t.same(await first.run(reqs[0].command, { ...reqs[0].opts, read: true }), alone[0], 'the first read ran again on its own');
  t.equal(raw.stats.commands, n + 2);
  for (const [i, r] of reqs.entries()) if (i > 0) t.same(await reads.wrap(raw).run(r.command, { ...r.opts, read: true }), alone[i], r.command);
  t.equal(raw.stats.commands, n + 3, 'the other joined read ran on its turn; the plain one was answered ahead');
  t.same(reads.counts, { read: 1, used: 1 });
});

t.test('a prelude runs once before the reads that share it; what it prints reaches no answer', async (t) => {
  const { raw, reads } = setup();
  const log = join(dir, 'prelude-log');
  writeFileSync(log, '');
  // the reads print a value the prelude may set; alone, each computes it itself
  const prelude = { kind: 'value', items: ['v'], script: () => `echo noise; echo noise >&2; echo ran >> ${log}; shared_value=from-prelude` };
  const reqs: ReadRequest[] = ['one', 'two'].map((n) => ({ command: `echo ${n} "\${shared_value:-computed}"`, opts: { become: false, preludes: [prelude] } }));
  const n = raw.stats.commands;
  const first = withReadsAhead(reads.wrap(raw), () => reqs.slice(1));
  t.same(await first.run(reqs[0].command, { ...reqs[0].opts, read: true }), { rc: 0, stdout: 'one from-prelude\n', stderr: '' });
  t.same(await reads.wrap(raw).run(reqs[1].command, { ...reqs[1].opts, read: true }), { rc: 0, stdout: 'two from-prelude\n', stderr: '' });
  t.equal(raw.stats.commands, n + 1, 'one round trip');
  t.equal(readFileSync(log, 'utf8'), 'ran\n', 'the prelude ran once');
  const off = setup(false);
  t.same(await off.read(reqs[0].command, [], { preludes: [prelude] }), { rc: 0, stdout: 'one computed\n', stderr: '' }, 'a read on its own runs no prelude');
});
