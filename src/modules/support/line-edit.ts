/**
 * lineinfile's edit on text, done on the controller: ensure a line is present (replacing the last
 * line matching `regexp`, or inserting after/before a marker) or absent.
 */
export interface LineEdit {
  line?: string;
  regexp?: string;
  state?: 'present' | 'absent';
  /** "EOF" (default) or a regex: insert after its last match. */
  insertafter?: string;
  /** "BOF" or a regex: insert before its first match. */
  insertbefore?: string;
}

export function editLines(content: string, edit: LineEdit): string {
  const lines = content === '' ? [] : content.replace(/\n$/, '').split('\n');
  const re = edit.regexp !== undefined ? new RegExp(edit.regexp) : undefined;
  const matches = (l: string) => (re ? re.test(l) : l === edit.line);
  if (edit.state === 'absent') {
    const kept = lines.filter((l) => !matches(l));
    return kept.length === lines.length ? content : joinLines(kept);
  }
  const line = edit.line!;
  const hit = lastIndex(lines, matches);
  if (hit >= 0) {
    if (lines[hit] === line) return content;
    lines[hit] = line;
    return joinLines(lines);
  }
  if (!re && lines.includes(line)) return content;
  lines.splice(insertAt(lines, edit), 0, line);
  return joinLines(lines);
}

function insertAt(lines: string[], edit: LineEdit): number {
  if (edit.insertbefore === 'BOF') return 0;
  if (edit.insertbefore !== undefined) {
    const re = new RegExp(edit.insertbefore);
    const i = lines.findIndex((l) => re.test(l));
    return i >= 0 ? i : lines.length;
  }
  if (edit.insertafter !== undefined && edit.insertafter !== 'EOF') {
    const re = new RegExp(edit.insertafter);
    const i = lastIndex(lines, (l) => re.test(l));
    return i >= 0 ? i + 1 : lines.length;
  }
  return lines.length;
}

function lastIndex(lines: string[], pred: (l: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (pred(lines[i]!)) return i;
  return -1;
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join('\n')}\n` : '';
}
