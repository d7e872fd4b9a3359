/**
 * `-e` extra vars: `key=value` (the value YAML-parsed as a scalar: 5 -> number, true -> boolean),
 * several `k=v k2="two words"` in one argument, `@file.yaml`, or a JSON/YAML object `{"k": 1}`.
 * Later arguments override earlier ones. A bad argument is an InputError naming it.
 */
import { resolve } from 'node:path';
import { LineCounter, parse as parseYaml, parseDocument } from 'yaml';
import { argumentSource, InputError, type Source } from '../errors.js';
import type { Vars } from '../types.js';
import { loadVarsFile } from '../load/vars-file.js';
import { positionOf, sourceAt, YAML_OPTIONS } from '../load/yaml-file.js';

export function parseExtraVars(items: string[], cwd: string): Vars {
  const out: Vars = {};
  const sources = new Map<string, Source>();
  for (const item of items) {
    const { vars, where } = parseOne(item, cwd);
    Object.assign(out, vars);
    // named without its value (a value given with -e may be a secret), at the value's column
    for (const k of Object.keys(vars)) sources.set(k, where(k));
  }
  extraSources.set(out, sources);
  return out;
}

const extraSources = new WeakMap<Vars, Map<string, Source>>();

/** Where an extra var was given (`-e NAME=VALUE`), for errors about its value. */
export function extraVarSource(extraVars: Vars | undefined, name: string): Source | undefined {
  return extraVars && Object.hasOwn(extraVars, name) ? (extraSources.get(extraVars)?.get(name) ?? { file: '-e' }) : undefined;
}

/** One -e argument: its vars, and where each var's value is (for errors about it). */
function parseOne(item: string, cwd: string): { vars: Vars; where: (key: string) => Source } {
  const lead = item.length - item.trimStart().length;
  const text = item.trim();
  const arg = (index: number, file = `-e ${shown(text)}`) => argumentSource(file, item, lead + index);
  if (text.startsWith('@')) {
    const file = resolve(cwd, text.slice(1));
    if (text.length === 1) throw new InputError('missing file name after @', arg(0), { expected: '-e @vars.yaml' });
    const { vars, yaml } = loadVarsFile(file, arg(1));
    return { vars, where: (k) => sourceAt(yaml, [k]) };
  }
  if (text.startsWith('{')) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter, prettyErrors: false });
    if (doc.errors.length) {
      const e = doc.errors[0];
      const pos = positionOf(text, lineCounter, e.pos[0]);
      const where = pos.line === 1 ? arg(e.pos[0]) : { file: `-e ${shown(text)}`, ...pos };
      throw new InputError(`invalid JSON/YAML object: ${e.message.split('\n')[0]}`, where, { expected: 'an object like {"key": "value"}' });
    }
    const data = doc.toJS() as unknown;
    if (!data || typeof data !== 'object' || Array.isArray(data)) throw new InputError('not an object', arg(0), { expected: 'an object like {"key": "value"}' });
    return {
      vars: data as Vars,
      where: (k) => {
        const node = (doc.contents as { items?: Array<{ key?: { value?: unknown }; value?: { range?: number[] } }> }).items?.find((p) => String(p.key?.value) === k)?.value;
        const at = node?.range?.[0] ?? 0;
        const pos = positionOf(text, lineCounter, at);
        return pos.line === 1 ? arg(at, `-e ${k}=...`) : { file: `-e ${k}=...`, ...pos };
      },
    };
  }
  const out: Vars = {};
  const at = new Map<string, number>();
  const words = splitWords(text, arg(0));
  if (words.length === 0) throw new InputError('empty extra vars', arg(0), { expected: 'key=value, @file.yaml or a JSON object' });
  for (const { word, index } of words) {
    const eq = word.indexOf('=');
    const key = eq < 0 ? word : word.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new InputError(`invalid extra var ${eq < 0 ? "(no '=')" : JSON.stringify(`${key}=`)}`, arg(index), { expected: 'key=value with a variable name as key, @file.yaml or a JSON object' });
    }
    out[key] = scalar(word.slice(eq + 1));
    at.set(key, index + eq + 1);
  }
  return { vars: out, where: (k) => arg(at.get(k) ?? 0, `-e ${k}=...`) };
}

/**
 * An argument as error messages name it: file names and keys, never a value (it may be a secret,
 * and a value that does not parse cannot be known as one).
 */
function shown(text: string): string {
  if (text.startsWith('@')) return text;
  if (text.startsWith('{')) return '{...}';
  return text
    .split(/\s+/)
    .map((w) => (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) ? `${w.slice(0, w.indexOf('='))}=...` : '...'))
    .join(' ');
}

/** A value as YAML would read a scalar; anything that is not a scalar stays the string given. */
function scalar(value: string): unknown {
  if (value === '') return '';
  try {
    const v = parseYaml(value, YAML_OPTIONS) as unknown;
    return v !== null && typeof v === 'object' ? value : v;
  } catch {
    return value;
  }
}

/** Split on whitespace outside quotes; quotes stay, so YAML reads `k="5"` as the string "5". */
function splitWords(text: string, where: Source): Array<{ word: string; index: number }> {
  const words: Array<{ word: string; index: number }> = [];
  let cur = '';
  let start = 0;
  let quote: string | null = null;
  let inWord = false;
  let i = 0;
  for (const c of text) {
    if (quote) {
      if (c === quote) quote = null;
      cur += c;
    } else if (c === '"' || c === "'") {
      if (!inWord) start = i;
      quote = c;
      cur += c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push({ word: cur, index: start });
      cur = '';
      inWord = false;
    } else {
      if (!inWord) start = i;
      cur += c;
      inWord = true;
    }
    i += c.length;
  }
  if (quote) throw new InputError(`unclosed ${quote} quote`, where, { expected: 'balanced quotes' });
  if (inWord) words.push({ word: cur, index: start });
  return words;
}
