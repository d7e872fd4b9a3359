/**
 * YAML files loaded with their source positions, so every later stage can name file:line:column.
 * YAML 1.1 like Ansible (yes/no are booleans, 0644 is octal); duplicate keys are errors.
 */
import { readFileSync, statSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type ScalarTag, type Tags } from 'yaml';
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
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw new InputError(`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { file }, { cause: err });
  }
  if (size > MAX_YAML_BYTES) {
    throw new InputError(`file is too large (${size} bytes)`, { file }, { expected: `a YAML file of at most ${MAX_YAML_BYTES} bytes (4 MiB)` });
  }
  const bytes = readFileSync(file);
  return parseYamlText(decodeText(bytes, file), file, opts);
}

/** UTF-8 text of a file's bytes; NUL bytes or invalid UTF-8 -> InputError (a binary file). */
export function decodeText(bytes: Buffer, file: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new InputError(`file is binary (NUL byte at offset ${nul})`, { file }, { expected: 'a UTF-8 text file' });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError('file is not valid UTF-8 text', { file }, { expected: 'a UTF-8 text file' });
  }
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
  InputErrors.throwIfAny(errors);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && !/^[ \t]*[^#\s]/m.test(text))) {
    if (opts.allowEmpty) return { file, doc, lineCounter, data: null };
    throw new InputError('file is empty', { file }, { expected: 'YAML content' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    throw new InputError(`YAML error: ${(err as Error).message}`, { file }, { cause: err });
  }
  return { file, doc, lineCounter, data };
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
