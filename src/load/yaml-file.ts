/**
 * YAML files loaded with their source positions, so every later stage can name file:line:column.
 * YAML 1.1 like Ansible (yes/no are booleans, 0644 is octal); duplicate keys are errors.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type ScalarTag, type Tags } from 'yaml';
import { InputError, InputErrors, type Source, type SourceText } from '../errors.js';
import { recordValueSource } from './value-sources.js';
import { columnAt } from '../text/columns.js';

export const MAX_YAML_BYTES = 4 * 1024 * 1024;

/**
 * YAML 1.1 as PyYAML (so Ansible) reads it: yes/no/on/off/true/false are booleans, 0644 is octal,
 * but a lone y or n stays a string.
 */
export const YAML_OPTIONS = {
  version: '1.1' as const,
  merge: true,
  customTags: (tags: Tags): Tags =>
    tags.map((tag) => {
      if (typeof tag !== 'object' || !('tag' in tag) || tag.tag !== 'tag:yaml.org,2002:bool' || !('test' in tag)) return tag;
      const value = (tag as { identify?: (v: unknown) => boolean }).identify?.(true);
      return { ...tag, test: value ? /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/ : /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/ } as ScalarTag;
    }),
};

export type DocPath = ReadonlyArray<string | number>;

export interface YamlFile {
  /** Absolute (or as given) path of the file. */
  file: string;
  /** The file's text (positions are offsets into it). */
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data (null for an allowed empty file). */
  data: unknown;
}

export interface LoadYamlOptions {
  /** Accept a file that holds nothing but comments/whitespace (data = null). */
  allowEmpty?: boolean;
  /** Where the file is named (an import, vars_files, -i): a file that cannot be read is blamed there. */
  namedAt?: Source;
}

/** Read a YAML file: syntax, duplicate keys, empty, binary and over-large files are InputErrors. */
export function loadYamlFile(file: string, opts: LoadYamlOptions = {}): YamlFile {
  // a file that cannot be read is blamed where it is named (opts.namedAt), else at its own 1:1
  const cannotRead = (err: unknown) =>
    new InputError(
      `cannot read file${opts.namedAt ? ` ${file}` : ''}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      opts.namedAt ?? { file, line: 1, column: 1 },
      { cause: err, expected: 'a readable YAML file' },
    );
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw cannotRead(err);
  }
  if (size > MAX_YAML_BYTES) {
    throw new InputError(`file is too large (${size} bytes)`, { file, line: 1, column: 1 }, { expected: `a YAML file of at most ${MAX_YAML_BYTES} bytes (4 MiB)` });
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file); // a directory (EISDIR) or an unreadable file passes stat
  } catch (err) {
    throw cannotRead(err);
  }
  return parseYamlText(decodeText(bytes, file), file, opts);
}

/** UTF-8 text of a file's bytes; NUL bytes or invalid UTF-8 -> InputError (a binary file). */
export function decodeText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new InputError(`file is binary (NUL byte at offset ${nul})`, byteSource(bytes, nul, file), { expected: 'a UTF-8 text file' });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError('file is not valid UTF-8 text', byteSource(bytes, firstInvalidUtf8(bytes), file), { expected: 'a UTF-8 text file' });
  }
}

/** file:line:column of a byte offset (column counted in bytes). */
function byteSource(bytes: Buffer, offset: number, file: string): Source {
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  let line = 1;
  for (let i = before.indexOf(0x0a); i >= 0; i = before.indexOf(0x0a, i + 1)) line++;
  return { file, line, column: offset - lineStart + 1 };
}

/** Offset of the first byte that is not valid UTF-8 (0x0a never occurs inside a sequence: go by line). */
function firstInvalidUtf8(bytes: Buffer): number {
  const decodes = (b: Buffer) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b);
      return true;
    } catch {
      return false;
    }
  };
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    if (!decodes(bytes.subarray(start, end))) {
      // the end of the longest prefix of the line that decodes is where the bad sequence starts
      let ok = start;
      for (let k = start + 1; k <= end; k++) if (decodes(bytes.subarray(start, k))) ok = k;
      return ok;
    }
    start = end + 1;
  }
  return bytes.length;
}

/** Parse YAML text; `file` is used for messages. */
export function parseYamlText(text: string, file: string, opts: LoadYamlOptions = {}): YamlFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Source => ({ file, ...positionOf(text, lineCounter, offset) });
  const errors = doc.errors.map((e) => {
    const reason = e.code === 'DUPLICATE_KEY' ? `duplicate key: ${e.message}` : `YAML syntax error: ${e.message}`;
    return new InputError(reason, at(syntaxErrorOffset(doc, text, e)));
  });
  const tab = errors.length ? indentTab(text, errors[0].source.line ?? 1) : -1;
  if (tab >= 0) errors.unshift(new InputError('YAML syntax error: a tab in the indentation', at(tab), { expected: 'indentation with spaces (YAML does not allow tabs there)' }));
  // an unknown tag (`!vault`, `!include`) would otherwise be read as a plain string
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const pos = positionOf(text, lineCounter, w.pos[0]);
    const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1] ?? 'tag';
    errors.push(
      new InputError(`unsupported YAML tag '${tag}'${tag === '!vault' ? ' (Ansible Vault is not supported: put secrets in secret_vars, e.g. from env.LBRUN_*)' : ''}`, { file, ...pos }, {
        expected: 'plain YAML values without tags',
      }),
    );
  }
  errors.push(...mergeKeyErrors(doc, at));
  InputErrors.throwIfAny(errors);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !/^[ \t]*[^#\s]/m.test(text))) {
    if (opts.allowEmpty) return { file, text, doc, lineCounter, data: null };
    throw new InputError('file is empty', { file, line: 1, column: 1 }, { expected: 'YAML content' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new InputError(`YAML error: ${(err as Error).message}`, aliasSource(doc, at, file), { cause: err });
  }
  const yf = { file, text, doc, lineCounter, data };
  recordTemplatedValues(yf);
  return yf;
}

/** Every `name: "...{{ }}..."` pair of the file, for errors inside the value (load/value-sources.ts). */
function recordTemplatedValues(yf: YamlFile): void {
  visit(yf.doc, {
    Pair(_k, pair) {
      const { key, value } = pair;
      if (!isScalar(key) || !isScalar(value) || typeof value.value !== 'string' || !value.value.includes('{{') || !value.range) return;
      const range = value.range;
      const text = value.value;
      recordValueSource(String(key.value), text, () => ({ file: yf.file, ...positionOf(yf.text, yf.lineCounter, range[0]), value: scalarText(yf, text, range[0], range[1]) }));
    },
  });
}

/**
 * line and column (1-based) of an offset, the column counted in characters as an editor shows them
 * (a character outside the BMP, an emoji, is one column; a tab is one).
 */
export function positionOf(text: string, lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line } = lineCounter.linePos(offset);
  const start = lineCounter.lineStarts[line - 1] ?? 0;
  return { line, column: columnAt(text, start, offset) };
}

/**
 * Where a YAML syntax error's offending token is. The parser reports an unclosed quote or flow
 * collection at the end of the file and an over-indented line at the key above it: blame the
 * opening quote or bracket, and the first character of the over-indented line.
 */
function syntaxErrorOffset(doc: Document.Parsed, text: string, e: { code: string; message: string; pos: [number, number] }): number {
  const pos = e.pos[0];
  const opener = (want: (n: Node) => boolean): number | undefined => {
    let best: Node | undefined;
    visit(doc, {
      Node(_k, n) {
        const r = n.range;
        if (r && r[0] <= pos && r[1] >= pos - 1 && want(n) && (!best || r[0] >= (best.range?.[0] ?? 0))) best = n;
      },
    });
    return best?.range?.[0];
  };
  if (e.code === 'MISSING_CHAR' && /closing ["']?quote/i.test(e.message)) {
    return opener((n) => isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE')) ?? pos;
  }
  if (/^Flow (map|sequence)/.test(e.message)) {
    const map = e.message.startsWith('Flow map');
    return opener((n) => (map ? isMap(n) : isSeq(n)) && (n as { flow?: boolean }).flow === true) ?? pos;
  }
  if (e.code === 'MULTILINE_IMPLICIT_KEY' || e.code === 'BLOCK_AS_IMPLICIT_KEY') {
    const next = text.indexOf('\n', pos);
    if (next >= 0) {
      const m = /^[ \t]*(?=\S)/.exec(text.slice(next + 1));
      if (m) return next + 1 + m[0].length;
    }
  }
  return pos;
}

/** Offset of a tab in the leading whitespace of a line up to `lastLine` (-1: none). */
function indentTab(text: string, lastLine: number): number {
  let offset = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < lastLine; i++) {
    const lead = /^[ \t]*/.exec(lines[i])?.[0] ?? '';
    const t = lead.indexOf('\t');
    if (t >= 0 && lead.length < lines[i].length) return offset + t;
    offset += lines[i].length + 1;
  }
  return -1;
}

/** `<<` merge keys whose value is not a map, an alias of a map, or a list of those: at the `<<`. */
function mergeKeyErrors(doc: Document.Parsed, at: (offset: number) => Source): InputError[] {
  const out: InputError[] = [];
  const isMapLike = (n: unknown): boolean => isMap(n) || (isAlias(n) && isMap(n.resolve(doc)));
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || (pair.key.value !== '<<' && String(pair.key.value) !== 'Symbol(<<)')) return;
      const v = pair.value;
      if (isMapLike(v) || (isSeq(v) && v.items.every(isMapLike))) return;
      out.push(new InputError('a merge key (<<) needs a map, an alias of a map (*name), or a list of those', at(pair.key.range?.[0] ?? 0), { expected: '<<: *defaults where &defaults is a map' }));
    },
  });
  return out;
}

/** Where toJS failed: the first alias without an anchor, else the first alias (an alias bomb). */
function aliasSource(doc: Document.Parsed, at: (offset: number) => Source, file: string): Source {
  let unresolved: Node | undefined;
  let first: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      first ??= node;
      if (!unresolved && node.resolve(doc) === undefined) unresolved = node;
    },
  });
  const offset = (unresolved ?? first)?.range?.[0];
  return offset === undefined ? { file, line: 1, column: 1 } : at(offset);
}

/**
 * The YAML node at a document path, or the deepest existing node on the way (so an error about a
 * missing key points at the map that lacks it). With `key: true`, the key of the last map entry.
 */
export function nodeAt(yf: YamlFile, path: DocPath, opts: { key?: boolean } = {}): Node | null {
  // an alias stands for its anchored node: a value written once (&name) is found where it is written
  const resolve = (n: unknown): unknown => (isAlias(n) ? (n.resolve(yf.doc) ?? n) : n);
  let node: unknown = resolve(yf.doc.contents);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = findPair(yf, node, String(seg));
      if (!pair) return node;
      if (opts.key && i === path.length - 1 && pair.key) return pair.key as Node;
      if (pair.value === null) return (pair.key as Node) ?? node;
      node = resolve(pair.value);
    } else if (isSeq(node) && /^\d+$/.test(String(seg))) {
      const item = node.items[Number(seg)];
      if (item === undefined || item === null) return node;
      node = resolve(item);
    } else {
      return (node as Node) ?? null;
    }
  }
  return (node as Node) ?? null;
}

/** A map's entry for `key`: its own, else one it merges in with `<<` (the first that has it). */
function findPair(yf: YamlFile, map: { items: unknown[] }, key: string, depth = 0): { key: unknown; value: unknown } | undefined {
  const name = (p: { key: unknown }) => (isScalar(p.key) ? String(p.key.value) : String(p.key));
  const own = map.items.find((p) => isPair(p) && name(p) === key) as { key: unknown; value: unknown } | undefined;
  if (own || depth > 10) return own;
  for (const p of map.items) {
    if (!isPair(p) || !isScalar(p.key) || (p.key.value !== '<<' && String(p.key.value) !== 'Symbol(<<)')) continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const src of sources) {
      const m = isAlias(src) ? src.resolve(yf.doc) : src;
      const found = isMap(m) ? findPair(yf, m, key, depth + 1) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * file:line:column of the node at `path` (see nodeAt). A scalar's source also maps positions inside
 * its value (`value`), so an error about a name inside an expression can point at that name.
 */
export function sourceAt(yf: YamlFile, path: DocPath, opts: { key?: boolean } = {}): Source {
  const node = nodeAt(yf, path, opts);
  if (!node?.range) return { file: yf.file, line: 1, column: 1 };
  const src: Source = { file: yf.file, ...positionOf(yf.text, yf.lineCounter, node.range[0]) };
  if (isScalar(node) && typeof node.source === 'string') src.value = scalarText(yf, node.source, node.range[0], node.range[1]);
  return src;
}

/**
 * A scalar's value with the file offset of each of its characters: the value's characters are
 * matched in order against the source text (skipping quotes, escapes, indentation and line breaks).
 */
function scalarText(yf: YamlFile, value: string, start: number, end: number): SourceText {
  const raw = yf.text.slice(start, end);
  const offsets: number[] = [];
  let j = 0;
  for (const ch of value) {
    let k = j;
    while (k < raw.length && raw[k] !== ch[0] && k - j < 16) k++;
    if (k < raw.length && raw[k] === ch[0]) j = k;
    offsets.push(start + Math.min(j, Math.max(raw.length - 1, 0)));
    if (raw[j] === ch[0]) j += ch.length;
  }
  const chars = [...value];
  return {
    indexOf: (part: string) => value.indexOf(part),
    at: (index: number) => {
      // index is a UTF-16 index into value: the character that holds it
      let units = 0;
      for (let c = 0; c < chars.length; c++) {
        if (units + chars[c].length > index) return positionOf(yf.text, yf.lineCounter, offsets[c]);
        units += chars[c].length;
      }
      return undefined;
    },
  };
}

/** JSON-pointer form of a document path ("/0/tasks/2"). */
export function pointer(path: DocPath): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
