/**
 * YAML files loaded with their source positions, so every later stage can name file:line:column.
 * YAML 1.1 like Ansible (yes/no are booleans, 0644 is octal); duplicate keys are errors.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type ScalarTag, type Tags } from 'yaml';
import { InputError, InputErrors, type Source } from '../errors.js';

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
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain data (null for an allowed empty file). */
  data: unknown;
}

export interface LoadYamlOptions {
  /** Accept a file that holds nothing but comments/whitespace (data = null). */
  allowEmpty?: boolean;
}

/** Read a YAML file: syntax, duplicate keys, empty, binary and over-large files are InputErrors. */
export function loadYamlFile(file: string, opts: LoadYamlOptions = {}): YamlFile {
  const cannotRead = (err: unknown) =>
    new InputError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err, expected: 'a readable YAML file' });
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw cannotRead(err);
  }
  if (size > MAX_YAML_BYTES) {
    throw new InputError(`file is too large (${size} bytes)`, { file }, { expected: `a YAML file of at most ${MAX_YAML_BYTES} bytes (4 MiB)` });
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
  const errors = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const reason = e.code === 'DUPLICATE_KEY' ? `duplicate key: ${e.message}` : `YAML syntax error: ${e.message}`;
    return new InputError(reason, { file, line: pos.line, column: pos.col });
  });
  // an unknown tag (`!vault`, `!include`) would otherwise be read as a plain string
  for (const w of doc.warnings) {
    if (w.code !== 'TAG_RESOLVE_FAILED') continue;
    const pos = lineCounter.linePos(w.pos[0]);
    const tag = /Unresolved tag: (\S+)/.exec(w.message)?.[1] ?? 'tag';
    errors.push(
      new InputError(`unsupported YAML tag '${tag}'${tag === '!vault' ? ' (Ansible Vault is not supported: put secrets in secret_vars, e.g. from env.LBRUN_*)' : ''}`, { file, line: pos.line, column: pos.col }, {
        expected: 'plain YAML values without tags',
      }),
    );
  }
  errors.push(...mergeKeyErrors(doc, lineCounter, file));
  InputErrors.throwIfAny(errors);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !/^[ \t]*[^#\s]/m.test(text))) {
    if (opts.allowEmpty) return { file, doc, lineCounter, data: null };
    throw new InputError('file is empty', { file, line: 1, column: 1 }, { expected: 'YAML content' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new InputError(`YAML error: ${(err as Error).message}`, aliasSource(doc, lineCounter, file), { cause: err });
  }
  return { file, doc, lineCounter, data };
}

/** `<<` merge keys whose value is not a map, an alias of a map, or a list of those: at the `<<`. */
function mergeKeyErrors(doc: Document.Parsed, lineCounter: LineCounter, file: string): InputError[] {
  const out: InputError[] = [];
  const isMapLike = (n: unknown): boolean => isMap(n) || (isAlias(n) && isMap(n.resolve(doc)));
  visit(doc, {
    Pair(_key, pair) {
      if (!isScalar(pair.key) || (pair.key.value !== '<<' && String(pair.key.value) !== 'Symbol(<<)')) return;
      const v = pair.value;
      if (isMapLike(v) || (isSeq(v) && v.items.every(isMapLike))) return;
      const at = pair.key.range?.[0] ?? 0;
      const pos = lineCounter.linePos(at);
      out.push(new InputError('a merge key (<<) needs a map, an alias of a map (*name), or a list of those', { file, line: pos.line, column: pos.col }, { expected: '<<: *defaults where &defaults is a map' }));
    },
  });
  return out;
}

/** Where toJS failed: the first alias without an anchor, else the first alias (an alias bomb). */
function aliasSource(doc: Document.Parsed, lineCounter: LineCounter, file: string): Source {
  let unresolved: Node | undefined;
  let first: Node | undefined;
  visit(doc, {
    Alias(_key, node) {
      first ??= node;
      if (!unresolved && node.resolve(doc) === undefined) unresolved = node;
    },
  });
  const at = (unresolved ?? first)?.range?.[0];
  if (at === undefined) return { file };
  const pos = lineCounter.linePos(at);
  return { file, line: pos.line, column: pos.col };
}

/**
 * The YAML node at a document path, or the deepest existing node on the way (so an error about a
 * missing key points at the map that lacks it). With `key: true`, the key of the last map entry.
 */
export function nodeAt(yf: YamlFile, path: DocPath, opts: { key?: boolean } = {}): Node | null {
  let node: unknown = yf.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) return node;
      if (opts.key && i === path.length - 1 && pair.key) return pair.key as Node;
      if (pair.value === null) return (pair.key as Node) ?? node;
      node = pair.value;
    } else if (isSeq(node) && /^\d+$/.test(String(seg))) {
      const item = node.items[Number(seg)];
      if (item === undefined || item === null) return node;
      node = item;
    } else {
      return (node as Node) ?? null;
    }
  }
  return (node as Node) ?? null;
}

/** file:line:column of the node at `path` (see nodeAt). */
export function sourceAt(yf: YamlFile, path: DocPath, opts: { key?: boolean } = {}): Source {
  const node = nodeAt(yf, path, opts);
  if (!node?.range) return { file: yf.file, line: 1, column: 1 };
  const pos = yf.lineCounter.linePos(node.range[0]);
  return { file: yf.file, line: pos.line, column: pos.col };
}

/** JSON-pointer form of a document path ("/0/tasks/2"). */
export function pointer(path: DocPath): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
