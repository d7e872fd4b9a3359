import t from 'tap';
import { columnAt } from '../../src/text/columns.js';

t.test('one column per character, a surrogate pair counted once, from the line start', async (t) => {
  const text = 'ab\nx😀y\u{1F600}z';
  const lineStart = 3;
  // every offset against what an editor shows: the characters before it, plus one
  for (let offset = lineStart; offset <= text.length; offset++) {
    t.equal(columnAt(text, lineStart, offset), [...text.slice(lineStart, offset)].length + 1, `offset ${offset}`);
  }
  t.equal(columnAt(text, lineStart, text.length), 6, 'x, 😀, y, 😀, z: the end is column 6');
  t.equal(columnAt('\ud800x', 0, 2), 3, 'a lone high surrogate is a character of its own');
});
