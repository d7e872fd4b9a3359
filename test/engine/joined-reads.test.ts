// Reads joined into one command (src/engine/joined-reads.ts): which reads join, and that each read's
// answer is its own part of the output, or none at all when the output cannot be split exactly.
import t from 'tap';
import type { ReadJoin } from '../../src/connection/types.js';
import { joinReads } from '../../src/engine/joined-reads.js';

/** A join of "show ITEM" reads: the joined command prints each item's line, a blank line between. */
function shows(item: string, kind = 'show'): { command: string; join: ReadJoin } {
  return {
    command: `show ${item}`,
    join: {
      kind,
      item,
      command: (items) => `show ${items.join(' ')}`,
      split: (stdout, count) => {
        const parts = stdout.split('\n\n');
        return parts.length === count ? parts.map((p, i) => (i < count - 1 ? `${p}\n` : p)) : undefined;
      },
    },
  };
}

const ok = (stdout: string) => ({ rc: 0, stdout, stderr: '' });

t.test('reads of one kind become one command at the place of the first; others stay as they are', async (t) => {
  const b = joinReads([shows('a'), { command: 'cat f' }, shows('b'), shows('x', 'other'), shows('c')]);
  t.same(b.commands, ['show a b c', 'cat f', 'show x']);
  const answers = b.answers([ok('A\n\nB\n\nC\n'), ok('file\n'), ok('X\n')]);
  t.same(answers, [ok('A\n'), ok('file\n'), ok('B\n'), ok('X\n'), ok('C\n')], 'each read gets its own part, in order');
});

t.test('a read alone of its kind keeps its own command and its own result, whatever it is', async (t) => {
  const b = joinReads([shows('a'), { command: 'false' }]);
  t.same(b.commands, ['show a', 'false']);
  const failed = { rc: 3, stdout: 'o', stderr: 'e' };
  t.same(b.answers([ok('A\n'), failed]), [ok('A\n'), failed]);
});

t.test('a joined command that cannot be split exactly answers none of its reads', async (t) => {
  const b = joinReads([shows('a'), { command: 'true' }, shows('b')]);
  t.same(b.answers([{ rc: 1, stdout: 'A\n\nB\n', stderr: '' }, ok('')]), [undefined, ok(''), undefined], 'exit code other than 0');
  t.same(b.answers([{ rc: 0, stdout: 'A\n\nB\n', stderr: 'warning\n' }, ok('')]), [undefined, ok(''), undefined], 'something on stderr');
  t.same(b.answers([ok('A\nB\n'), ok('')]), [undefined, ok(''), undefined], 'fewer parts than reads');
  t.same(b.answers([ok('A\n\nB\n\nC\n'), ok('')]), [undefined, ok(''), undefined], 'more parts than reads');
});

t.test('nothing to join: the commands are the reads', async (t) => {
  const b = joinReads([{ command: 'a' }, { command: 'b' }]);
  t.same(b.commands, ['a', 'b']);
  t.same(b.answers([ok('1'), ok('2')]), [ok('1'), ok('2')]);
});

t.test('reads sharing a prelude kind get one prelude for all their items; a read alone gets none', async (t) => {
  const prelude = (kind: string, items: string[]) => ({ kind, items, script: (all: string[]) => `${kind}: ${all.join(',')}` });
  const b = joinReads([
    { command: 'a', preludes: [prelude('files', ['/x', '/y'])] },
    { command: 'b' },
    { command: 'c', preludes: [prelude('files', ['/y', '/z'])] },
    { command: 'd', preludes: [prelude('alone', ['/q'])] },
  ]);
  t.equal(b.prelude, 'files: /x,/y,/z', 'the items of both reads, first seen first, without repeats; none for the kind with one read');
  t.same(b.commands, ['a', 'b', 'c', 'd'], 'the reads themselves are unchanged');
  t.equal(joinReads([{ command: 'a', preludes: [prelude('files', ['/x'])] }]).prelude, '');
});
