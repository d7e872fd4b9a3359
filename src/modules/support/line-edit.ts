/**
 * lineinfile's edit on text, done on the controller, step for step as Ansible's lineinfile.py
 * (present()/absent()): lines keep their own endings; `regexp` replaces its last match (first with
 * `firstmatch`); with no match, a line already present is left alone, else the line goes after the
 * last match of `insertafter` / before the last match of `insertbefore` (first with `firstmatch`),
 * BOF or EOF. A replaced or added line ends with "\n" (so a CRLF line or a last line without newline
 * that equals `line` is rewritten once, then stays). `backrefs` expands \1, \g<name> from the match
 * and changes nothing when the regexp does not match. Python regexps are taken as JavaScript ones
 * with (?P<name>…) and (?P=name) translated and `.` matching "\r" as in Python.
 */
export interface LineEdit {
  line?: string;
  regexp?: string;
  search_string?: string;
  state?: 'present' | 'absent';
  /** "EOF" (default) or a regex: insert after its last match. */
  insertafter?: string;
  /** "BOF" or a regex: insert before its last match. */
  insertbefore?: string;
  backrefs?: boolean;
  firstmatch?: boolean;
}

/** A Python `re` pattern as a JavaScript RegExp (the constructs that differ and are common). */
export function pyRegExp(source: string): RegExp {
  const js = source
    .replace(/\(\?P<(\w+)>/g, '(?<$1>')
    .replace(/\(\?P=(\w+)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$(?![\\s\\S])');
  return new RegExp(js, 's');
}

/** Python's re.search on a line read with its "\n": `$` may match before that final newline. */
function search(re: RegExp, line: string): RegExpExecArray | null {
  return re.exec(line.endsWith('\n') ? line.slice(0, -1) : line);
}

/** Python's match.expand: \1..\99, \g<n>, \g<name>, and the escapes \n \t \r \\. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\\(?:(\d{1,2})|g<(\w+)>|([\\ntr]))/g, (_all, num: string | undefined, g: string | undefined, esc: string | undefined) => {
    if (esc !== undefined) return esc === 'n' ? '\n' : esc === 't' ? '\t' : esc === 'r' ? '\r' : '\\';
    const key = num ?? g!;
    const v = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
    return v ?? '';
  });
}

const strip = (l: string) => l.replace(/[\r\n]+$/, '');

/** Lines as Python's readlines() gives them: each with its "\n" (the last may have none). */
export function splitLines(content: string): string[] {
  return content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

export function editLines(content: string, edit: LineEdit): string {
  const lines = splitLines(content);
  return (edit.state === 'absent' ? absent(lines, edit) : present(lines, edit)) ?? content;
}

function absent(lines: string[], edit: LineEdit): string | undefined {
  const re = edit.regexp !== undefined ? pyRegExp(edit.regexp) : undefined;
  const kept = lines.filter((l) => {
    if (re) return !search(re, l);
    if (edit.search_string !== undefined) return !l.includes(edit.search_string);
    return strip(l) !== edit.line;
  });
  return kept.length === lines.length ? undefined : kept.join('');
}

function present(lines: string[], edit: LineEdit): string | undefined {
  const line = edit.line!;
  const re = edit.regexp !== undefined ? pyRegExp(edit.regexp) : undefined;
  const after = edit.insertafter;
  const before = edit.insertbefore;
  const insRe = after !== undefined && after !== 'EOF' && after !== 'BOF' ? pyRegExp(after) : before !== undefined && before !== 'BOF' ? pyRegExp(before) : undefined;
  // index[0]: the line found (regexp/search_string or exact line); index[1]: the insert point.
  let found = -1;
  let at = -1;
  let match: RegExpExecArray | null = null;
  let exact = false;
  if (re) {
    for (let i = 0; i < lines.length; i++) {
      const m = search(re, lines[i]);
      if (m) {
        found = i;
        match = m;
        if (edit.firstmatch) break;
      }
    }
  }
  let stringMatch = false;
  if (edit.search_string !== undefined) {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].includes(edit.search_string)) {
        found = i;
        stringMatch = true;
        if (edit.firstmatch) break;
      }
    }
  }
  if (!match && !stringMatch) {
    for (let i = 0; i < lines.length; i++) {
      if (strip(lines[i]) === line) {
        found = i;
        exact = true;
      } else if (insRe && search(insRe, lines[i])) {
        if (after !== undefined) {
          at = i + 1;
          if (edit.firstmatch) break;
        }
        if (before !== undefined) {
          at = i;
          if (edit.firstmatch) break;
        }
      }
    }
  }
  const out = [...lines];
  const endsOpen = () => out.length > 0 && !/[\n\r]$/.test(out[out.length - 1]);
  if (found !== -1) {
    let newLine = edit.backrefs && match ? expand(line, match) : line;
    if (!newLine.endsWith('\n')) newLine += '\n';
    if (edit.regexp === undefined && edit.search_string === undefined && !exact) {
      // Unreachable in practice (found without a match is an exact match), kept for fidelity.
      return undefined;
    }
    if (out[found] === newLine) return undefined;
    out[found] = newLine;
    return out.join('');
  }
  if (edit.backrefs) return undefined;
  if (before === 'BOF' || after === 'BOF') {
    out.unshift(`${line}\n`);
    return out.join('');
  }
  if (after === 'EOF' || at === -1) {
    if (endsOpen()) out.push('\n');
    out.push(`${line}\n`);
    return out.join('');
  }
  if (after !== undefined) {
    if (out.length === at) {
      if (strip(out[at - 1]) === line) return undefined;
      out.push(`${line}\n`);
      return out.join('');
    }
    if (strip(out[at]) === line) return undefined;
    out.splice(at, 0, `${line}\n`);
    return out.join('');
  }
  out.splice(at, 0, `${line}\n`);
  return out.join('');
}
