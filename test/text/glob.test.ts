import t from 'tap';
import { GlobError, globToRegExp, isGlob } from '../../src/text/glob.js';

// [pattern, name, matches?] in both modes (host patterns: strict; task names: lenient)
const BOTH: [string, string, boolean][] = [
  ['', '', true],
  ['', 'a', false],
  ['*', '', true],
  ['*', 'anything at all', true],
  ['?', '', false],
  ['?', 'x', true],
  ['?', 'xy', false],
  ['lb-0*', 'lb-01', true],
  ['lb-0*', 'xlb-01', false],
  ['lb-0?', 'lb-012', false],
  ['Lb-01', 'lb-01', false],
  ['a.b', 'a.b', true],
  ['a.b', 'axb', false],
  ['a+', 'a+', true],
  ['a+', 'aa', false],
  ['(a|b)', '(a|b)', true],
  ['(a|b)', 'a', false],
  ['a{2}', 'a{2}', true],
  ['a{2}', 'aa', false],
  ['^a$', '^a$', true],
  ['^a$', 'a', false],
  ['a|b', 'a|b', true],
  ['a|b', 'b', false],
  ['a\\d', 'a\\d', true],
  ['a\\d', 'a1', false],
  ['a\\', 'a\\', true],
  ['a]', 'a]', true],
  ['a$b*', 'a$bcd', true],
  ['x.*', 'x.yz', true],
  ['x.*', 'xyz', false],
  ['web-[12]', 'web-2', true],
  ['web-[12]', 'web-3', false],
  ['web-[1-3]', 'web-3', true],
  ['web-[!1-3]', 'web-3', false],
  ['web-[!1-3]', 'web-4', true],
  ['[.]', '.', true],
  ['[.]', 'x', false],
  ['[\\]', '\\', true],
  ['[\\d]', 'd', true],
  ['[\\d]', '1', false],
  ['[a^]', '^', true],
  ['[!^]', '^', false],
  ['[!^]', 'a', true],
  ['[$|(]', '|', true],
  ['[[]', '[', true],
  ['a[b', 'a[b', true],
  ['a[b', 'ab', false],
  ['[', '[', true],
  ['*[*', 'x[y', true],
];

t.test('metacharacters of regular expressions stand for themselves; * ? [...] are the glob', async (t) => {
  for (const [pattern, name, want] of BOTH) {
    for (const strict of [true, false]) {
      t.equal(globToRegExp(pattern, { strict }).test(name), want, `${strict ? 'strict' : 'lenient'} ${JSON.stringify(pattern)} ~ ${JSON.stringify(name)}`);
    }
  }
});

t.test('any name without * ? [ matches itself only (random names from metacharacters)', async (t) => {
  const alphabet = '.+()]{}^$|\\-!/: ab\n';
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let k = 0; k < 300; k++) {
    const name = Array.from({ length: rand(8) }, () => alphabet[rand(alphabet.length)]).join('');
    const re = globToRegExp(name, { strict: true });
    if (!re.test(name)) t.fail(`${JSON.stringify(name)} does not match itself`);
    if (re.test(`${name}x`) || re.test(`x${name}`)) t.fail(`${JSON.stringify(name)} matches more than itself`);
  }
  t.pass('300 names');
});

t.test('host patterns (strict): ] right after [ closes an empty class; bad classes are GlobErrors', async (t) => {
  for (const [pattern, message] of [
    ['lb-0[]', /empty character class/],
    ['lb-0[!]', /empty character class/],
    ['[]a]', /empty character class/],
    ['lb-0[2-1]', /the range \[2-1\] is reversed/],
    ['lb-0[!3-1]', /the range \[3-1\] is reversed/],
  ] as const) {
    t.throws(() => globToRegExp(pattern, { strict: true }), { name: 'GlobError', message }, pattern);
  }
});

t.test('task names (lenient, as fnmatch): ] right after [ is a member; a line break is a character', async (t) => {
  t.equal(globToRegExp('[]a]').test(']'), true);
  t.equal(globToRegExp('[]a]').test('a'), true);
  t.equal(globToRegExp('[]a]').test('b'), false);
  t.equal(globToRegExp('[!]]').test(']'), false);
  t.equal(globToRegExp('[!]]').test('x'), true);
  t.equal(globToRegExp('[]').test('[]'), true, 'an unclosed [ is literal');
  t.equal(globToRegExp('[!]').test('[!]'), true);
  t.equal(globToRegExp('a*b', { dotAll: true }).test('a\nb'), true);
  t.equal(globToRegExp('a?b', { dotAll: true }).test('a\nb'), true);
  t.equal(globToRegExp('a*b').test('a\nb'), false, 'host names: no line breaks in *');
  t.throws(() => globToRegExp('[z-a]'), { name: 'GlobError', message: /invalid glob/ }, 'a reversed range is a GlobError, not a SyntaxError');
  t.ok(new GlobError('x', 'y') instanceof Error);
});

t.test('isGlob: only * ? [ make a pattern', async (t) => {
  t.same(['lb-01', 'a.b', '(x)', 'a]', 'lb-0*', 'lb-0?', 'lb-0[1]'].map(isGlob), [false, false, false, false, true, true, true]);
});
